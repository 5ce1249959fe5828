package client

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestVectorBackgroundInsertVisibleToLinearizableSearch: HNSW replicas link
// a bulk load into their graphs in the background, after acknowledging it.
// Every vector of an acknowledged load is found at once by a linearizable
// search for it (queued writes are scanned exactly), while writes are
// still pending and after; once the indexers drain, a graph search finds
// them too.
func TestVectorBackgroundInsertVisibleToLinearizableSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl, base, err := startClusterWithMetrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cl.Close() }()
	c, err := New(Config{Nodes: cl.Addrs(), TotalShards: cl.Layout().TotalShards})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	const ns, n, dims = "bg-visible", 6000, 64
	if _, err := c.VectorCreateIndex(ctx, ns, dims, DistanceEuclidean, IndexHNSW, nil); err != nil {
		t.Fatal(err)
	}
	set := datagen.Generate(datagen.Spec{N: n, Queries: 1, Dims: dims, Seed: 17})
	items := make([]VectorItem, n)
	for i := range items {
		items[i] = VectorItem{ID: "v" + strconv.Itoa(i), Vector: set.Row(set.Base, i)}
	}
	if got, err := c.VectorInsertMany(ctx, ns, items, 0); err != nil || got != n {
		t.Fatalf("VectorInsertMany: %d, %v", got, err)
	}
	pending, err := pendingVectors(ctx, base, 3, ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("right after the acknowledged load: %d writes pending over 3 replicas", pending)
	// While writes are pending the queued ones are scanned exactly, so
	// each vector is its own nearest neighbour, at distance 0.
	for i := 0; i < n; i += 1 + i/2000 {
		res, err := c.VectorSearch(ctx, ns, items[i].Vector, 1, &VectorSearchOptions{Consistency: ConsistencyLinearizable})
		if err != nil {
			t.Fatalf("search %d: %v", i, err)
		}
		if len(res.Matches) != 1 || res.Matches[0].ID != items[i].ID || res.Matches[0].Distance != 0 {
			t.Fatalf("search for %s found %+v", items[i].ID, res.Matches)
		}
	}
	if err := waitIndexed(ctx, base, 3, ns); err != nil {
		t.Fatal(err)
	}
	// Graph search is approximate: ask for 10 and expect the vector among them.
	for i := 0; i < n; i += 97 {
		res, err := c.VectorSearch(ctx, ns, items[i].Vector, 10, &VectorSearchOptions{Consistency: ConsistencyLinearizable, Ef: 200})
		if err != nil {
			t.Fatalf("search %d after indexing: %v", i, err)
		}
		found := false
		for _, m := range res.Matches {
			found = found || m.ID == items[i].ID
		}
		if !found {
			t.Fatalf("after indexing, search for %s found %+v", items[i].ID, res.Matches)
		}
	}
}
