package client

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/datagen"
)

// BenchmarkVectorBulkInsertRatio loads 64-dim vectors with VectorInsertMany
// into the embedded dev cluster (3 nodes, no fsync, as `devcluster`),
// batched (VectorInsertBatch: one log entry per batch) against one insert
// per log entry (the fallback path), in alternating order over
// BULK_ROUNDS rounds (default 3), for an HNSW index (default parameters)
// and a brute-force one. BULK_N sets the vectors per load (default 10000).
//
//	go test -run '^$' -bench VectorBulkInsertRatio -benchtime 1x ./client/
func BenchmarkVectorBulkInsertRatio(b *testing.B) {
	n := envInt("BULK_N", 10000)
	rounds := envInt("BULK_ROUNDS", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cl.Close() }()
	c, err := New(Config{Nodes: cl.Addrs(), TotalShards: cl.Layout().TotalShards})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if err := c.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	set := datagen.Generate(datagen.Spec{N: n, Queries: 1, Dims: 64, Seed: 5})
	items := make([]VectorItem, n)
	for i := range items {
		items[i] = VectorItem{ID: "v" + strconv.Itoa(i), Vector: set.Row(set.Base, i)}
	}
	load := func(kind VectorIndexType, batched bool, round int) float64 {
		ns := fmt.Sprintf("bulk-%s-%v-%d-%d", kind, batched, round, b.N)
		if _, err := c.VectorCreateIndex(ctx, ns, 64, DistanceEuclidean, kind, nil); err != nil {
			b.Fatal(err)
		}
		c.noVecBatch.Store(!batched)
		start := time.Now()
		got, err := c.VectorInsertMany(ctx, ns, items, 0)
		el := time.Since(start)
		if err != nil || got != n {
			b.Fatalf("load %s: %d, %v", ns, got, err)
		}
		// Drop it so later rounds do not pay for its memory.
		if _, err := c.VectorDropIndex(ctx, ns, nil); err != nil {
			b.Fatal(err)
		}
		return float64(n) / el.Seconds()
	}
	for _, kind := range []VectorIndexType{IndexHNSW, IndexBruteForce} {
		var ratios, batchedRates, singleRates []float64
		for r := 0; r < rounds; r++ {
			var bat, one float64
			if r%2 == 0 {
				bat, one = load(kind, true, r), load(kind, false, r)
			} else {
				one, bat = load(kind, false, r), load(kind, true, r)
			}
			batchedRates, singleRates, ratios = append(batchedRates, bat), append(singleRates, one), append(ratios, bat/one)
			b.Logf("%s round %d (%s first): batched %.0f vectors/s, one insert per entry %.0f vectors/s, %.2fx",
				kind, r, map[bool]string{true: "batched", false: "single"}[r%2 == 0], bat, one, bat/one)
		}
		slices.Sort(ratios)
		b.ReportMetric(median(batchedRates), kind.String()+"-batched-vec/s")
		b.ReportMetric(median(singleRates), kind.String()+"-single-vec/s")
		b.ReportMetric(ratios[0], kind.String()+"-ratio-min")
		b.ReportMetric(median(ratios), kind.String()+"-ratio-median")
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
