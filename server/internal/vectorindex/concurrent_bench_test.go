package vectorindex

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
)

// BenchmarkSearchDuringInserts measures k=10 HNSW searches on 20k x 64
// clustered vectors while one writer keeps inserting (as a replica applying
// a stream of inserts does): ns/op and p99-µs are the searches' latency.
func BenchmarkSearchDuringInserts(b *testing.B) {
	set := datagen.Generate(datagen.Spec{N: 60_000, Queries: 500, Dims: 64, Seed: 5})
	ix := mustNew(b, Config{Dims: 64, Distance: Euclidean, Kind: HNSW, Seed: 1})
	for i := 0; i < 20_000; i++ {
		if err := ix.Upsert(vecID(i), set.Row(set.Base, i)); err != nil {
			b.Fatal(err)
		}
	}
	var stop atomic.Bool
	var inserted atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 20_000; i < 60_000 && !stop.Load(); i++ {
			_ = ix.Upsert(vecID(i), set.Row(set.Base, i))
			inserted.Add(1)
		}
	}()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if _, err := ix.Search(set.Row(set.Queries, i%500), 10, 0); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	stop.Store(true)
	<-done
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(inserted.Load())/b.Elapsed().Seconds(), "inserts/s")
}
