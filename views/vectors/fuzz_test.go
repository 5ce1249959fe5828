package vectors

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzParseVector: any text gives finite values (re-read identically from
// FormatValues) or an error, never a panic.
func FuzzParseVector(f *testing.F) {
	for _, s := range []string{"0.1, 0.2, 0.3", "[1,2,3]", "1 2;3\t4", "", "[]", "NaN", "1e39", "-1e-3", "0x1p-2", "1,,2", "[1, 2", "٣"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, dims int) {
		dims = dims % 5000
		v, err := ParseVector(s, dims)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty error", s)
			}
			return
		}
		if len(v) == 0 || (dims > 0 && len(v) != dims) {
			t.Fatalf("%q (dims %d): %d values", s, dims, len(v))
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%q: non-finite value %v", s, x)
			}
		}
		back, err := ParseVector(FormatValues(v), len(v))
		if err != nil {
			t.Fatalf("%q: FormatValues %q does not read back: %v", s, FormatValues(v), err)
		}
		for i := range v {
			if back[i] != v[i] {
				t.Fatalf("%q: value %d %v read back as %v", s, i, v[i], back[i])
			}
		}
	})
}

// FuzzParseInsert and FuzzParseCreate: the palette's arguments give a
// request or an error, never a panic.
func FuzzParseInsert(f *testing.F) {
	for _, s := range []string{"doc-1 0.1 0.2 0.3", "a random", "a", "", " b 1,2,3 ", "c query", "id [1, 2, 3]"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, dims int) {
		dims = dims % 5000
		id, v, err := ParseInsert(s, dims, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			return
		}
		if strings.TrimSpace(id) == "" || len(v) == 0 || (dims > 0 && len(v) != dims) {
			t.Fatalf("%q: id %q, %d values", s, id, len(v))
		}
	})
}

func FuzzParseCreate(f *testing.F) {
	for _, s := range []string{"docs 384 cosine", "flow 3 euclidean hnsw m=8 efc=64 ef=32", "x 0 cosine", "x -1 cosine", "x 3", "", "x 3 cosine brute_force m=", "x 99999999999999999999 cosine"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseCreate(s)
		if err != nil {
			return
		}
		if spec.Namespace == "" || spec.Dims <= 0 {
			t.Fatalf("%q: accepted %+v", s, spec)
		}
	})
}

// FuzzReadVectors: an imported file's text gives vectors of one dimension
// count or an error naming the problem, never a panic.
func FuzzReadVectors(f *testing.F) {
	for _, s := range []string{"{\"id\": \"a\", \"vector\": [1, 2, 3]}\n", "id,x,y\na,1,2\n", "a,1,2\nb,1\n", "", "{", "\n\n", "a;1;2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := readVectors(strings.NewReader(s), 0)
		if err != nil {
			return
		}
		for _, it := range items {
			if len(it.Vector) != len(items[0].Vector) || it.ID == "" {
				t.Fatalf("%q: accepted %+v", s, items)
			}
		}
	})
}
