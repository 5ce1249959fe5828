package vectorindex

import (
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestHNSWRecall guards the graph's quality: on clustered 5k x 32 data the
// HNSW index must find at least 95% of the exact top 10, for every distance.
func TestHNSWRecall(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 5000, Queries: 200, Dims: 32, Seed: 7})
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			ix := mustNew(t, Config{Dims: 32, Distance: d, Kind: HNSW, Seed: 1})
			loadSet(t, ix, set)
			r := recall(t, ix, set, 10, 0)
			t.Logf("%s recall@10 = %.4f (ef=%d)", d, r, ix.Config().EfSearch)
			if r < 0.95 {
				t.Fatalf("%s recall@10 = %.4f, want >= 0.95", d, r)
			}
		})
	}
}
