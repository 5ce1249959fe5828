package vectorindex_test

import (
	"bytes"
	"fmt"

	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// A replicated state machine applies writes in log order, searches under a
// shared lock, and snapshots the exact state.
func Example() {
	ix, err := vectorindex.New(vectorindex.Config{Dims: 2, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW, Seed: 1})
	if err != nil {
		panic(err)
	}
	writes := []struct {
		id  string
		vec []float32
	}{{"a", []float32{0, 0}}, {"b", []float32{3, 4}}, {"c", []float32{1, 0}}}
	for _, w := range writes { // in log order: never from a map, whose order varies
		if err := ix.Upsert(w.id, w.vec); err != nil {
			panic(err)
		}
	}
	ix.Delete("c")
	matches, _ := ix.Search([]float32{0, 0}, 10, 0)
	fmt.Println(matches)

	var snap bytes.Buffer
	_ = ix.Clone().WriteSnapshot(&snap)
	restored, _ := vectorindex.ReadSnapshot(&snap)
	fmt.Println(restored.Len(), restored.Config().M)
	// Output:
	// [{a 0} {b 5}]
	// 2 16
}
