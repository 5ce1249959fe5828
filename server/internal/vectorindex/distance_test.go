package vectorindex

import (
	"math"
	"testing"
)

// TestDistanceValues checks each distance against values computed by hand,
// through both search paths of both index kinds.
func TestDistanceValues(t *testing.T) {
	cases := []struct {
		name string
		dist Distance
		q, v []float32
		want float64
	}{
		// diffs 3,4,5: sqrt(9+16+25) = sqrt(50)
		{"euclidean", Euclidean, []float32{1, 2, 3}, []float32{4, 6, 8}, math.Sqrt(50)},
		{"euclidean 3-4-5", Euclidean, []float32{0, 0, 0}, []float32{3, 4, 0}, 5},
		{"euclidean same", Euclidean, []float32{1, -2, 3}, []float32{1, -2, 3}, 0},
		// a·b = 4+12+24 = 40, |a||b| = sqrt(14*116) = sqrt(1624)
		{"cosine", Cosine, []float32{1, 2, 3}, []float32{4, 6, 8}, 1 - 40/math.Sqrt(1624)},
		{"cosine orthogonal", Cosine, []float32{1, 0, 0}, []float32{0, 1, 0}, 1},
		{"cosine opposite", Cosine, []float32{1, 0, 0}, []float32{-2, 0, 0}, 2},
		{"cosine parallel", Cosine, []float32{1, 1, 0}, []float32{3, 3, 0}, 0},
		{"cosine zero stored", Cosine, []float32{1, 2, 3}, []float32{0, 0, 0}, 1},
		{"cosine zero query", Cosine, []float32{0, 0, 0}, []float32{1, 2, 3}, 1},
		{"inner product", InnerProduct, []float32{1, 2, 3}, []float32{4, 6, 8}, -40},
		{"inner product negative", InnerProduct, []float32{1, 2, 3}, []float32{-1, 0, -1}, 4},
	}
	for _, tc := range cases {
		for _, kind := range []Kind{BruteForce, HNSW} {
			ix := mustNew(t, Config{Dims: 3, Distance: tc.dist, Kind: kind})
			if err := ix.Upsert("v", tc.v); err != nil {
				t.Fatal(err)
			}
			exact, err := ix.SearchExact(tc.q, 1)
			if err != nil {
				t.Fatal(err)
			}
			approx, err := ix.Search(tc.q, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range [][]Match{exact, approx} {
				if len(got) != 1 || got[0].ID != "v" {
					t.Fatalf("%s/%s: got %v, want one match v", tc.name, kind, got)
				}
				if math.Abs(float64(got[0].Distance)-tc.want) > 1e-6*max(1, math.Abs(tc.want)) {
					t.Errorf("%s/%s: distance %v, want %v", tc.name, kind, got[0].Distance, tc.want)
				}
			}
		}
	}
}

// TestOrderingAndTies checks ascending order, ties broken by id, and that a
// tie at the k boundary keeps the smaller ids.
func TestOrderingAndTies(t *testing.T) {
	for _, kind := range []Kind{BruteForce, HNSW} {
		t.Run(kind.String(), func(t *testing.T) {
			ix := mustNew(t, Config{Dims: 2, Distance: Euclidean, Kind: kind})
			vecs := map[string][]float32{
				"far": {10, 0}, "c": {1, 0}, "a": {0, 1}, "b": {-1, 0}, "mid": {0, 2}, "near": {0.5, 0},
			}
			for _, id := range []string{"far", "c", "a", "b", "mid", "near"} {
				if err := ix.Upsert(id, vecs[id]); err != nil {
					t.Fatal(err)
				}
			}
			q := []float32{0, 0}
			want := []Match{{"near", 0.5}, {"a", 1}, {"b", 1}, {"c", 1}, {"mid", 2}, {"far", 10}}
			for _, search := range []func() ([]Match, error){
				func() ([]Match, error) { return ix.SearchExact(q, 10) },
				func() ([]Match, error) { return ix.Search(q, 10, 0) },
			} {
				got, err := search()
				if err != nil {
					t.Fatal(err)
				}
				if !equalMatches(got, want) {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
			for _, search := range []func() ([]Match, error){
				func() ([]Match, error) { return ix.SearchExact(q, 3) },
				func() ([]Match, error) { return ix.Search(q, 3, 10) },
			} {
				got, err := search()
				if err != nil {
					t.Fatal(err)
				}
				if !equalMatches(got, want[:3]) {
					t.Fatalf("k=3 boundary tie: got %v, want %v", got, want[:3])
				}
			}
		})
	}
}

func equalMatches(a, b []Match) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || math.Abs(float64(a[i].Distance-b[i].Distance)) > 1e-6 {
			return false
		}
	}
	return true
}
