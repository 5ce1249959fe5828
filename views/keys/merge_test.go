package keys

import (
	"strings"
	"testing"
)

func TestMergeLines(t *testing.T) {
	base := "a\nb\nc\nd\ne"
	theirs := "a\nB\nc\nd\ne\nf" // changed b, added f
	yours := "a\nb\nc\nD\ne"     // changed d
	r := merge3([]byte(base), []byte(theirs), []byte(yours))
	if r.kind != "lines" || len(r.conflicts) != 0 {
		t.Fatalf("kind %s, conflicts %+v", r.kind, r.conflicts)
	}
	if v, _ := r.value(); string(v) != "a\nB\nc\nD\ne\nf" {
		t.Fatalf("merged %q", v)
	}
	// Both changed line 2: a conflict; each choice builds its value.
	r = merge3([]byte(base), []byte("a\nTHEIRS\nc\nd\ne"), []byte("a\nYOURS\nc\nd\nE"))
	if len(r.conflicts) != 1 || r.conflicts[0].where != "line 2" || r.unresolved() != 1 {
		t.Fatalf("conflicts %+v", r.conflicts)
	}
	for choice, want := range map[int]string{chooseTheirs: "a\nTHEIRS\nc\nd\nE", chooseYours: "a\nYOURS\nc\nd\nE", chooseBoth: "a\nTHEIRS\nYOURS\nc\nd\nE"} {
		r.conflicts[0].choice = choice
		if v, _ := r.value(); string(v) != want {
			t.Fatalf("choice %d: %q, want %q", choice, v, want)
		}
	}
	// Both made the same change: taken once.
	r = merge3([]byte(base), []byte("a\nX\nc\nd\ne"), []byte("a\nX\nc\nd\ne"))
	if v, _ := r.value(); len(r.conflicts) != 0 || string(v) != "a\nX\nc\nd\ne" {
		t.Fatalf("same change: %q %+v", v, r.conflicts)
	}
}

func TestMergeJSONFields(t *testing.T) {
	base := `{"name":"Ada","role":"user","limits":{"rps":10,"burst":20},"id":12345678901234567890}`
	theirs := `{"role":"admin","name":"Ada","limits":{"rps":10,"burst":50},"id":12345678901234567890}` // reordered, role, burst
	yours := `{"name":"Ada Lovelace","role":"user","limits":{"rps":99,"burst":20},"id":12345678901234567890,"team":"x"}`
	r := merge3([]byte(base), []byte(theirs), []byte(yours))
	if r.kind != "JSON fields" || len(r.conflicts) != 0 {
		t.Fatalf("kind %s conflicts %+v", r.kind, r.conflicts)
	}
	v, _ := r.value()
	for _, want := range []string{`"name": "Ada Lovelace"`, `"role": "admin"`, `"rps": 99`, `"burst": 50`, `"team": "x"`, `"id": 12345678901234567890`} {
		if !strings.Contains(string(v), want) {
			t.Fatalf("merged lacks %s:\n%s", want, v)
		}
	}
	// Both changed .limits.rps, theirs removed .role while yours changed it.
	r = merge3([]byte(base), []byte(`{"name":"Ada","limits":{"rps":1,"burst":20},"id":1}`), []byte(`{"name":"Ada","role":"owner","limits":{"rps":2,"burst":20},"id":1}`))
	var where []string
	for _, c := range r.conflicts {
		where = append(where, c.where+" "+c.theirs+"/"+c.yours)
	}
	if got := strings.Join(where, ", "); got != ".limits.rps 1/2, .role —/\"owner\"" {
		t.Fatalf("conflicts: %s", got)
	}
	r.conflicts[0].choice, r.conflicts[1].choice = chooseYours, chooseTheirs
	v, _ = r.value()
	if !strings.Contains(string(v), `"rps": 2`) || strings.Contains(string(v), "role") {
		t.Fatalf("chosen:\n%s", v)
	}
}
