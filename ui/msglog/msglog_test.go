package msglog

import (
	"fmt"
	"testing"
)

func TestRingKeepsTheNewest(t *testing.T) {
	l := New(3)
	for i := 0; i < 7; i++ {
		l.Add(Entry{Text: fmt.Sprint(i), Write: i%2 == 0})
	}
	got := ""
	for _, e := range l.Entries(false) {
		got += e.Text
	}
	if got != "456" || l.Len() != 3 {
		t.Fatalf("entries %q (len %d), want 456", got, l.Len())
	}
	w := l.Entries(true)
	if len(w) != 2 || w[0].Text != "4" || w[1].Text != "6" {
		t.Fatalf("writes %+v", w)
	}
}

func TestIsWrite(t *testing.T) {
	for op, want := range map[string]bool{
		`put "user:1"`: true, "save user:1": true, "set the TTL of a to 1h": true, "remove the TTL of a": true,
		`delete vector "x" from ns`: true, "import f.csv into ns": true, "create index ns (4 dims, cosine, hnsw)": true,
		"move leader of shard 3 to n2": true, "stop node n1": true, `get "user:1"`: false, "search demo": false,
	} {
		if IsWrite(op) != want {
			t.Errorf("IsWrite(%q) = %v", op, !want)
		}
	}
}
