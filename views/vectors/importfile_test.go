package vectors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadVectorFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jsonl := write("a.jsonl", `{"id": "a", "vector": [1, 2.5, -3]}
# a comment

{"id": "b", "vector": [0, 0, 1e-3], "extra": "ignored"}
`)
	items, err := ReadVectorFile(jsonl, 3)
	if err != nil || len(items) != 2 || items[0].ID != "a" || items[0].Vector[1] != 2.5 || items[1].Vector[2] != 1e-3 {
		t.Fatalf("jsonl: %+v %v", items, err)
	}
	csv := write("b.csv", "id,x,y\np1,0.5,1\np2\t-1\t2\np3 3 4\n")
	items, err = ReadVectorFile(csv, 0)
	if err != nil || len(items) != 3 || items[2].ID != "p3" || items[2].Vector[1] != 4 {
		t.Fatalf("csv with header: %+v %v", items, err)
	}
	for _, c := range []struct{ name, body, want string }{
		{"dims.csv", "a,1,2,3\nb,1,2\n", "line 2: 2 values, want 3"},
		{"fixed.csv", "a,1,2\n", "line 1: 2 values, want 3"},
		{"nan.csv", "a,1,NaN,3\n", "line 1: value 2 is not finite"},
		{"big.csv", "a,1,1e39,3\n", "line 1: value 2"},
		{"word.csv", "a,1,2,3\nb,1,x,3\n", `line 2: value 2 "x" is not a number`},
		{"dup.jsonl", `{"id":"a","vector":[1,2,3]}` + "\n" + `{"id":"a","vector":[1,2,3]}`, `line 2: id "a" was already on line 1`},
		{"noid.jsonl", `{"vector":[1,2,3]}`, `line 1: no "id" field`},
		{"null.jsonl", `{"id":"a","vector":[1,null,3]}`, "line 1: value 2 is null"},
		{"badjson.jsonl", `{"id":"a","vector":[1,2,3]`, "line 1: not a JSON object"},
		{"empty.csv", "# nothing\n\n", "no vectors in the file"},
		{"longid.csv", strings.Repeat("i", 513) + ",1,2,3\n", "over the 512-byte limit"},
	} {
		_, err := ReadVectorFile(write(c.name, c.body), 3)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: %v, want an error naming the file and containing %q", c.name, err, c.want)
		}
	}
	if _, err := ReadVectorFile(filepath.Join(dir, "missing.csv"), 3); err == nil || !strings.Contains(err.Error(), "open the vector file") {
		t.Errorf("missing file: %v", err)
	}
	long := write("long.csv", "a,"+strings.Repeat("1,", maxImportLine/2)+"1\n")
	if _, err := ReadVectorFile(long, 0); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long line: %v", err)
	}
}
