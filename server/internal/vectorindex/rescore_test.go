package vectorindex

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestRescoreSkipsOnlyLosers checks that re-scoring only the candidates
// that can still make the k nearest (Euclidean, half-precision walk) returns
// exactly what re-scoring every candidate does: same ids, same distances,
// same order, ties included, with vectors of far-apart magnitudes and
// duplicates among them, and that it does skip candidates.
func TestRescoreSkipsOnlyLosers(t *testing.T) {
	const dims = 136
	set := datagen.Generate(datagen.Spec{N: 3000, Queries: 100, Dims: dims, Seed: 21})
	ix := mustNew(t, Config{Dims: dims, Distance: Euclidean, Kind: HNSW, Seed: 1})
	loadSet(t, ix, set)
	rng := rand.New(rand.NewPCG(22, 23))
	for i := range 50 {
		v := slices.Clone(set.Row(set.Base, i))
		scale := []float32{1e-12, 1e-3, 1, 1e3, 1e12}[i%5]
		for j := range v {
			v[j] = v[j]*scale + float32(rng.NormFloat64()*1e-6)
		}
		must(t, ix.Upsert(fmt.Sprintf("scaled-%d", i), v))
		// Exact duplicates of stored vectors: ties broken by id.
		must(t, ix.Upsert(fmt.Sprintf("dup-%d", i), set.Row(set.Base, i)))
	}
	skipped := 0
	for qi := range 100 {
		q := set.Row(set.Queries, qi)
		if qi%10 == 0 {
			q = set.Row(set.Base, qi) // a query on a duplicated vector
		}
		for _, k := range []int{1, 5, 10} {
			for _, ef := range []int{10, 24, 64} {
				got, err := ix.Search(q, k, ef)
				must(t, err)
				want, n := searchRescoringAll(ix, q, k, max(ef, k))
				skipped += n
				if !slices.Equal(got, want) {
					t.Fatalf("query %d k %d ef %d:\n got %v\nwant %v", qi, k, ef, got, want)
				}
			}
		}
	}
	t.Logf("skipped %d candidates", skipped)
	if skipped == 0 {
		t.Error("no candidate was ever skipped: the bound is useless")
	}
}

// searchRescoringAll is Search re-scoring every candidate of the walk. It
// also returns how many of them the bound lets Search skip.
func searchRescoringAll(ix *Index, q []float32, k, ef int) ([]Match, int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)
	all := slices.Clone(ix.searchGraph(sc, q, 0, ef, ef))
	some := len(ix.searchGraph(sc, q, 0, ef, k))
	slices.SortFunc(all, func(a, b item) int {
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(ix.ids[a.slot], ix.ids[b.slot])
	})
	return ix.matches(all[:min(k, len(all))]), len(all) - some
}
