package vectorindex

import (
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// BenchmarkHNSWInsert measures building an HNSW index one insert at a time,
// as a replica applying a bulk load does: 10k clustered 64-dim vectors,
// default M and efConstruction (200). One op is the whole build; inserts/s
// is the figure to compare (the replicated bulk-insert target is bounded by
// it: every replica builds its own graph). cpu-µs/insert is the process's
// CPU time per insert, which a busy machine inflates far less than µs/insert.
func BenchmarkHNSWInsert(b *testing.B) {
	for _, d := range []Distance{Euclidean, Cosine} {
		b.Run("10kx64-"+d.String(), func(b *testing.B) {
			const n = 10_000
			set := datagen.Generate(datagen.Spec{N: n, Dims: 64, Seed: 11})
			ids := make([]string, n)
			for i := range ids {
				ids[i] = vecID(i)
			}
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				ix := mustNew(b, Config{Dims: 64, Distance: d, Kind: HNSW, Seed: 1})
				for i := range n {
					if err := ix.Upsert(ids[i], set.Row(set.Base, i)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "inserts/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/insert")
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/insert")
		})
	}
}
