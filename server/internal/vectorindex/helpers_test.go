package vectorindex

import (
	"fmt"
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// mustNew builds an index or fails the test.
func mustNew(t testing.TB, cfg Config) *Index {
	t.Helper()
	ix, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return ix
}

// loadSet upserts every base vector of set as "v<i>".
func loadSet(t testing.TB, ix *Index, set *datagen.Set) {
	t.Helper()
	n := len(set.Base) / set.Dims
	for i := range n {
		if err := ix.Upsert(vecID(i), set.Row(set.Base, i)); err != nil {
			t.Fatalf("upsert %d: %v", i, err)
		}
	}
}

func vecID(i int) string { return fmt.Sprintf("v%06d", i) }

// recall returns the mean recall@k of Search(ef) against SearchExact over the
// set's queries.
func recall(t testing.TB, ix *Index, set *datagen.Set, k, ef int) float64 {
	t.Helper()
	nq := len(set.Queries) / set.Dims
	var hit, total int
	for i := range nq {
		q := set.Row(set.Queries, i)
		exact, err := ix.SearchExact(q, k)
		if err != nil {
			t.Fatal(err)
		}
		approx, err := ix.Search(q, k, ef)
		if err != nil {
			t.Fatal(err)
		}
		hit += overlap(exact, approx)
		total += len(exact)
	}
	return float64(hit) / float64(total)
}

func overlap(exact, approx []Match) int {
	want := make(map[string]bool, len(exact))
	for _, m := range exact {
		want[m.ID] = true
	}
	n := 0
	for _, m := range approx {
		if want[m.ID] {
			n++
		}
	}
	return n
}
