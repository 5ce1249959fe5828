package vectorindex

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
)

// BenchmarkBackgroundInsert builds a 10k x 64 Euclidean HNSW index (default
// M and efConstruction) synchronously and in background mode (enqueue all,
// then Drain), alternating per iteration: the queue's cost over the
// synchronous build, and how soon background Upserts return.
//
//	go test -run '^$' -bench BackgroundInsert -benchtime 3x ./server/internal/vectorindex/
func BenchmarkBackgroundInsert(b *testing.B) {
	const n = 10_000
	set := datagen.Generate(datagen.Spec{N: n, Dims: 64, Seed: 11})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = vecID(i)
	}
	var syncNs, bgNs, ackNs int64
	rounds := 0
	for b.Loop() {
		for _, bg := range []bool{rounds%2 == 0, rounds%2 != 0} {
			ix := mustNew(b, Config{Dims: 64, Distance: Euclidean, Kind: HNSW, Seed: 1})
			ix.SetBackground(bg)
			start := nanotime()
			for i := range n {
				if err := ix.Upsert(ids[i], set.Row(set.Base, i)); err != nil {
					b.Fatal(err)
				}
			}
			ack := nanotime() - start
			ix.Drain()
			total := nanotime() - start
			ix.Close()
			if bg {
				bgNs, ackNs = bgNs+total, ackNs+ack
			} else {
				syncNs += total
			}
		}
		rounds++
	}
	b.ReportMetric(float64(rounds*n)/(float64(syncNs)/1e9), "sync-inserts/s")
	b.ReportMetric(float64(rounds*n)/(float64(bgNs)/1e9), "background-indexed/s")
	b.ReportMetric(float64(rounds*n)/(float64(ackNs)/1e9), "background-acked/s")
	b.ReportMetric(float64(syncNs)/float64(bgNs), "indexed-speed-ratio")
}

func nanotime() int64 { return time.Now().UnixNano() }
