package vectorindex

import (
	"bytes"
	"testing"
	"time"
)

// BenchmarkHNSWRestore measures restoring a snapshot of a 100k x 128
// Euclidean HNSW index (default M and efConstruction), as a node
// restarting does: vectors, their half-precision copy, the graph, and the
// checks on every field. The index is built once (15-30 s); MB/s is
// snapshot bytes, cpu-ms/op the process's CPU time (GC included) per
// restore, which the machine's load does not inflate as it does ns/op.
func BenchmarkHNSWRestore(b *testing.B) {
	d := euclid100k
	set := d.generate(1)
	ix := mustNew(b, Config{Dims: d.dims, Distance: d.distance, Kind: HNSW, Seed: 1})
	start := time.Now()
	loadSet(b, ix, set)
	b.Logf("built %s HNSW in %v", d.name, time.Since(start).Round(time.Millisecond))
	var buf bytes.Buffer
	must(b, ix.WriteSnapshot(&buf))
	ix.Close()
	b.Run(d.name, func(b *testing.B) {
		b.SetBytes(int64(buf.Len()))
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			got, err := ReadSnapshot(bytes.NewReader(buf.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			got.Close()
		}
		b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
	})
}
