package client

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
)

// BenchmarkVectorBulkInsertRatio loads 64-dim vectors with VectorInsertMany
// into the embedded dev cluster (3 nodes, no fsync, as `devcluster`),
// batched (VectorInsertBatch: one log entry per batch) against one insert
// per log entry (the fallback path), in alternating order over
// BULK_ROUNDS rounds (default 3), for an HNSW index (default parameters)
// and a brute-force one. BULK_N sets the vectors per load (default 10000).
// HNSW replicas acknowledge writes once queued and link them into their
// graphs in the background, so each load reports two rates: acknowledged
// (VectorInsertMany returned: durable and searchable) and indexed (until
// norikv_vector_index_pending is 0 on every replica, polled on /metrics).
//
//	go test -run '^$' -bench VectorBulkInsertRatio -benchtime 1x ./client/
func BenchmarkVectorBulkInsertRatio(b *testing.B) {
	n := envInt("BULK_N", 10000)
	rounds := envInt("BULK_ROUNDS", 3)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cl, mbase, err := startClusterWithMetrics(ctx)
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
	// load returns the acknowledged and the indexed rate, in vectors/s.
	load := func(kind VectorIndexType, batched bool, round int) (float64, float64) {
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
		if err := waitIndexed(ctx, mbase, len(cl.Addrs()), ns); err != nil {
			b.Fatalf("load %s: %v", ns, err)
		}
		indexed := time.Since(start)
		// Drop it so later rounds do not pay for its memory.
		if _, err := c.VectorDropIndex(ctx, ns, nil); err != nil {
			b.Fatal(err)
		}
		return float64(n) / el.Seconds(), float64(n) / indexed.Seconds()
	}
	for _, kind := range []VectorIndexType{IndexHNSW, IndexBruteForce} {
		var ratios, batchedRates, singleRates, batchedIdx, singleIdx []float64
		for r := 0; r < rounds; r++ {
			var bat, one, batIdx, oneIdx float64
			if r%2 == 0 {
				bat, batIdx = load(kind, true, r)
				one, oneIdx = load(kind, false, r)
			} else {
				one, oneIdx = load(kind, false, r)
				bat, batIdx = load(kind, true, r)
			}
			batchedRates, singleRates, ratios = append(batchedRates, bat), append(singleRates, one), append(ratios, bat/one)
			batchedIdx, singleIdx = append(batchedIdx, batIdx), append(singleIdx, oneIdx)
			b.Logf("%s round %d (%s first): batched %.0f vectors/s acknowledged (%.0f indexed), one insert per entry %.0f vectors/s acknowledged (%.0f indexed), %.2fx",
				kind, r, map[bool]string{true: "batched", false: "single"}[r%2 == 0], bat, batIdx, one, oneIdx, bat/one)
		}
		slices.Sort(ratios)
		b.ReportMetric(median(batchedRates), kind.String()+"-batched-vec/s")
		b.ReportMetric(median(singleRates), kind.String()+"-single-vec/s")
		b.ReportMetric(median(batchedIdx), kind.String()+"-batched-indexed-vec/s")
		b.ReportMetric(median(singleIdx), kind.String()+"-single-indexed-vec/s")
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
