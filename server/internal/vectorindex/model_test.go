package vectorindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestEnumsMatchProtocol pins the numeric values the server relies on when
// it converts the wire enums with a plain conversion.
func TestEnumsMatchProtocol(t *testing.T) {
	pairs := []struct{ ours, wire int }{
		{int(Euclidean), int(norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN)},
		{int(Cosine), int(norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE)},
		{int(InnerProduct), int(norikvpb.DistanceFunction_DISTANCE_FUNCTION_INNER_PRODUCT)},
		{int(BruteForce), int(norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE)},
		{int(HNSW), int(norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW)},
	}
	for _, p := range pairs {
		if p.ours != p.wire {
			t.Fatalf("enum value %d, wire value %d", p.ours, p.wire)
		}
	}
}

// TestAgainstModel applies a random mix of upserts (new ids, moves, repeats)
// and deletes to an HNSW index, a brute-force index and a plain map, and
// checks after every batch that all three agree: Get, Len, exact search of
// both indexes, and that approximate search only returns live ids.
func TestAgainstModel(t *testing.T) {
	const dims = 6
	rng := rand.New(rand.NewPCG(8, 9))
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		hn := mustNew(t, Config{Dims: dims, Distance: d, Kind: HNSW, M: 4, EfConstruction: 20, Seed: 5})
		bf := mustNew(t, Config{Dims: dims, Distance: d, Kind: BruteForce})
		model := map[string][]float32{}
		randVec := func() []float32 {
			v := make([]float32, dims)
			for i := range v {
				v[i] = float32(rng.IntN(7) - 3) // small integers: many exact ties
			}
			return v
		}
		for batch := range 30 {
			for range 60 {
				id := fmt.Sprintf("id%03d", rng.IntN(150))
				if rng.IntN(3) == 0 {
					want := model[id] != nil
					if hn.Delete(id) != want || bf.Delete(id) != want {
						t.Fatalf("%s: Delete(%s) disagrees with the model (%v)", d, id, want)
					}
					delete(model, id)
					continue
				}
				v := randVec()
				must(t, hn.Upsert(id, v))
				must(t, bf.Upsert(id, v))
				model[id] = v
			}
			if hn.Len() != len(model) || bf.Len() != len(model) {
				t.Fatalf("%s batch %d: Len %d/%d, model %d", d, batch, hn.Len(), bf.Len(), len(model))
			}
			for id, v := range model {
				g1, ok1 := hn.Get(id)
				g2, ok2 := bf.Get(id)
				if !ok1 || !ok2 || !slices.Equal(g1, v) || !slices.Equal(g2, v) {
					t.Fatalf("%s batch %d: Get(%s) = %v/%v, want %v", d, batch, id, g1, g2, v)
				}
			}
			q := randVec()
			e1, err := hn.SearchExact(q, 20)
			must(t, err)
			e2, err := bf.Search(q, 20, 0)
			must(t, err)
			if !slices.Equal(e1, e2) {
				t.Fatalf("%s batch %d: exact results differ:\n%v\n%v", d, batch, e1, e2)
			}
			approx, err := hn.Search(q, 20, 40)
			must(t, err)
			for i, m := range approx {
				if model[m.ID] == nil {
					t.Fatalf("%s batch %d: search returned absent id %s", d, batch, m.ID)
				}
				if i > 0 && (m.Distance < approx[i-1].Distance || m.Distance == approx[i-1].Distance && m.ID < approx[i-1].ID) {
					t.Fatalf("%s: results out of order: %v", d, approx)
				}
			}
		}
		hn.Compact()
		checkGraph(t, hn, false)
	}
}
