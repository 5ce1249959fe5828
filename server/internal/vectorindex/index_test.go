package vectorindex

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

var kinds = []Kind{BruteForce, HNSW}

func TestNewRejectsBadConfig(t *testing.T) {
	bad := []Config{
		{Dims: 0, Distance: Euclidean, Kind: HNSW},
		{Dims: MaxDims + 1, Distance: Euclidean, Kind: HNSW},
		{Dims: 4, Distance: 0, Kind: HNSW},
		{Dims: 4, Distance: 9, Kind: HNSW},
		{Dims: 4, Distance: Cosine, Kind: 0},
		{Dims: 4, Distance: Cosine, Kind: HNSW, M: 1},
		{Dims: 4, Distance: Cosine, Kind: HNSW, EfConstruction: -1},
		{Dims: 4, Distance: Cosine, Kind: HNSW, EfSearch: maxEf + 1},
	}
	for _, cfg := range bad {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) error = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	ix := mustNew(t, Config{Dims: MaxDims, Distance: Cosine, Kind: HNSW})
	got := ix.Config()
	if got.M != DefaultM || got.EfConstruction != DefaultEfConstruction || got.EfSearch != DefaultEfSearch {
		t.Fatalf("defaults not applied: %+v", got)
	}
}

func TestUpsertReplacesAndGetCopies(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) {
			ix := mustNew(t, Config{Dims: 2, Distance: Euclidean, Kind: kind})
			must(t, ix.Upsert("x", []float32{1, 0}))
			must(t, ix.Upsert("y", []float32{5, 5}))
			must(t, ix.Upsert("x", []float32{0, 1}))
			must(t, ix.Upsert("x", []float32{0, 1})) // same vector again: no-op
			if ix.Len() != 2 {
				t.Fatalf("Len = %d, want 2", ix.Len())
			}
			v, ok := ix.Get("x")
			if !ok || !slices.Equal(v, []float32{0, 1}) {
				t.Fatalf("Get(x) = %v %v, want [0 1] true", v, ok)
			}
			v[0] = 99 // a copy: the index must not change
			if v2, _ := ix.Get("x"); v2[0] != 0 {
				t.Fatalf("Get returned storage, not a copy")
			}
			for _, q := range [][]float32{{0, 1}, {1, 0}} {
				got, err := ix.Search(q, 10, 0)
				must(t, err)
				if len(got) != 2 || got[0].ID != "x" {
					t.Fatalf("Search(%v) = %v, want x first and no duplicate", q, got)
				}
			}
			got, err := ix.Search([]float32{0, 1}, 1, 0)
			must(t, err)
			if got[0].Distance != 0 {
				t.Fatalf("distance to the new vector = %v, want 0", got[0].Distance)
			}
			if _, ok := ix.Get("nope"); ok {
				t.Fatal("Get of a missing id found something")
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) {
			ix := mustNew(t, Config{Dims: 3, Distance: Cosine, Kind: kind})
			must(t, ix.Upsert("ok", []float32{1, 2, 3}))
			cases := []struct {
				name string
				err  error
				want error
			}{
				{"short vector", ix.Upsert("a", []float32{1, 2}), ErrDimension},
				{"long vector", ix.Upsert("a", []float32{1, 2, 3, 4}), ErrDimension},
				{"NaN", ix.Upsert("a", []float32{1, nan, 3}), ErrNotFinite},
				{"+Inf", ix.Upsert("a", []float32{inf, 2, 3}), ErrNotFinite},
				{"-Inf", ix.Upsert("a", []float32{1, 2, -inf}), ErrNotFinite},
				{"empty id", ix.Upsert("", []float32{1, 2, 3}), ErrInvalidID},
				{"long id", ix.Upsert(strings.Repeat("x", MaxIDBytes+1), []float32{1, 2, 3}), ErrInvalidID},
				{"search dims", second(ix.Search([]float32{1}, 1, 0)), ErrDimension},
				{"search NaN", second(ix.Search([]float32{nan, 0, 0}, 1, 0)), ErrNotFinite},
				{"exact dims", second(ix.SearchExact([]float32{1, 2, 3, 4}, 1)), ErrDimension},
				{"exact Inf", second(ix.SearchExact([]float32{0, inf, 0}, 1)), ErrNotFinite},
				{"k=0", second(ix.Search([]float32{1, 2, 3}, 0, 0)), ErrInvalidK},
				{"k<0", second(ix.SearchExact([]float32{1, 2, 3}, -1)), ErrInvalidK},
				{"k>max", second(ix.Search([]float32{1, 2, 3}, MaxK+1, 0)), ErrInvalidK},
			}
			for _, c := range cases {
				if !errors.Is(c.err, c.want) {
					t.Errorf("%s: error = %v, want %v", c.name, c.err, c.want)
				}
			}
			if err := ix.Upsert("a", []float32{1, 2}); !strings.Contains(err.Error(), "2 dimensions, index has 3") {
				t.Errorf("dimension error does not say what was wrong: %v", err)
			}
			if _, err := ix.Search([]float32{1, 2, 3}, 1, -1); err == nil {
				t.Error("negative ef accepted")
			}
			if ix.Len() != 1 {
				t.Fatalf("a rejected upsert changed the index: Len = %d", ix.Len())
			}
		})
	}
}

func TestKBounds(t *testing.T) {
	for _, kind := range kinds {
		ix := mustNew(t, Config{Dims: 2, Distance: InnerProduct, Kind: kind})
		got, err := ix.Search([]float32{1, 1}, 5, 0)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("%s: search of an empty index = %v", kind, got)
		}
		for i := range 7 {
			must(t, ix.Upsert(vecID(i), []float32{float32(i), 1}))
		}
		for _, k := range []int{1, 3, 7, MaxK} {
			got, err := ix.Search([]float32{1, 1}, k, 0)
			must(t, err)
			if want := min(k, 7); len(got) != want {
				t.Fatalf("%s: k=%d gave %d matches, want %d", kind, k, len(got), want)
			}
			// inner product: larger dot first, so the largest i leads
			if got[0].ID != vecID(6) || got[0].Distance != -7 {
				t.Fatalf("%s: k=%d first = %v, want v000006 at -7", kind, k, got[0])
			}
		}
	}
}

func TestDeleteAndBytes(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) {
			ix := mustNew(t, Config{Dims: 4, Distance: Euclidean, Kind: kind})
			empty := ix.Bytes()
			for i := range 100 {
				must(t, ix.Upsert(vecID(i), []float32{float32(i), 0, 0, 0}))
			}
			if ix.Bytes() < empty+100*4*4 {
				t.Fatalf("Bytes = %d after 100 vectors, want at least the vector data", ix.Bytes())
			}
			if st := ix.Stats(); st.Live != 100 || st.Slots != 100 || st.Bytes != ix.Bytes() {
				t.Fatalf("Stats = %+v", st)
			}
			if !ix.Delete(vecID(3)) || ix.Delete(vecID(3)) || ix.Delete("missing") {
				t.Fatal("Delete must report true once for a present id, false after")
			}
			if _, ok := ix.Get(vecID(3)); ok || ix.Len() != 99 {
				t.Fatalf("deleted id still there: Len = %d", ix.Len())
			}
			got, err := ix.Search([]float32{3, 0, 0, 0}, 3, 0)
			must(t, err)
			if got[0].ID == vecID(3) || got[1].ID == vecID(3) || got[2].ID == vecID(3) {
				t.Fatalf("deleted id returned: %v", got)
			}
			must(t, ix.Upsert(vecID(3), []float32{3, 0, 0, 0}))
			got, err = ix.Search([]float32{3, 0, 0, 0}, 1, 0)
			must(t, err)
			if got[0].ID != vecID(3) {
				t.Fatalf("re-inserted id not found: %v", got)
			}
			for i := range 100 {
				ix.Delete(vecID(i))
			}
			if ix.Len() != 0 {
				t.Fatalf("Len = %d after deleting everything", ix.Len())
			}
			got, err = ix.Search([]float32{3, 0, 0, 0}, 1, 0)
			must(t, err)
			if len(got) != 0 {
				t.Fatalf("empty index returned %v", got)
			}
			must(t, ix.Upsert("again", []float32{1, 1, 1, 1}))
			got, err = ix.Search([]float32{0, 0, 0, 0}, 5, 0)
			must(t, err)
			if len(got) != 1 || got[0].ID != "again" {
				t.Fatalf("after emptying and one insert: %v", got)
			}
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }
