package vectorindex

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
)

// The benchmarks run on clustered synthetic data (package datagen): 100k x
// 128 euclidean and 20k x 768 cosine, plus queries from the same
// distribution. Each benchmark builds its index once and shares it with its
// sub-benchmarks; HNSW builds are sequential (deterministic), so the first
// run of BenchmarkHNSW takes a while.

type benchData struct {
	name     string
	n, dims  int
	distance Distance
	seed     uint64
}

var (
	euclid100k = benchData{"100kx128-euclidean", 100_000, 128, Euclidean, 42}
	cosine20k  = benchData{"20kx768-cosine", 20_000, 768, Cosine, 43}
	// 5 MB: fits in the last-level cache, so this measures the kernel rather
	// than DRAM bandwidth.
	euclid10k = benchData{"10kx128-euclidean-cache-resident", 10_000, 128, Euclidean, 44}
)

func (d benchData) generate(queries int) *datagen.Set {
	return datagen.Generate(datagen.Spec{N: d.n, Queries: queries, Dims: d.dims, Seed: d.seed})
}

// BenchmarkExactSearch measures the exact scan; SetBytes makes the MB/s
// column the rate of vector data scanned per goroutine (for "parallel": by
// all goroutines together, GOMAXPROCS of them).
func BenchmarkExactSearch(b *testing.B) {
	b.Run("100kx128-euclidean-parallel", func(b *testing.B) {
		d := euclid100k
		set := d.generate(100)
		ix := mustNew(b, Config{Dims: d.dims, Distance: d.distance, Kind: BruteForce})
		loadSet(b, ix, set)
		b.SetBytes(int64(d.n * d.dims * 4))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, err := ix.SearchExact(set.Row(set.Queries, i%100), 10); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, d := range []benchData{euclid100k, cosine20k, euclid10k} {
		b.Run(d.name, func(b *testing.B) {
			set := d.generate(100)
			ix := mustNew(b, Config{Dims: d.dims, Distance: d.distance, Kind: BruteForce})
			loadSet(b, ix, set)
			b.SetBytes(int64(d.n * d.dims * 4))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := ix.SearchExact(set.Row(set.Queries, i%100), 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHNSW builds an HNSW index (default M and efConstruction) per data
// set and, per ef, reports recall@10 against the exact path, queries/s, and
// the ratio to exact search's queries/s on the same data and goroutine.
func BenchmarkHNSW(b *testing.B) {
	for _, d := range []benchData{euclid100k, cosine20k} {
		b.Run(d.name, func(b *testing.B) {
			const nq = 500
			set := d.generate(nq)
			ix := mustNew(b, Config{Dims: d.dims, Distance: d.distance, Kind: HNSW, Seed: 1})
			start := time.Now()
			loadSet(b, ix, set)
			b.Logf("%s: built HNSW (M=%d efC=%d, kernels %s) in %v, %d MiB",
				d.name, ix.cfg.M, ix.cfg.EfConstruction, kernelName, time.Since(start).Round(time.Millisecond), ix.Bytes()>>20)
			exact := make([][]Match, nq)
			start = time.Now()
			for i := range nq {
				m, err := ix.SearchExact(set.Row(set.Queries, i), 10)
				if err != nil {
					b.Fatal(err)
				}
				exact[i] = m
			}
			exactQPS := float64(nq) / time.Since(start).Seconds()
			for _, ef := range []int{10, 16, 24, 32, 48, 64, 96, 128} {
				b.Run(fmt.Sprintf("ef=%d", ef), func(b *testing.B) {
					hit := 0
					for i := range nq {
						m, _ := ix.Search(set.Row(set.Queries, i), 10, ef)
						hit += overlap(exact[i], m)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						if _, err := ix.Search(set.Row(set.Queries, i%nq), 10, ef); err != nil {
							b.Fatal(err)
						}
					}
					qps := float64(b.N) / b.Elapsed().Seconds()
					b.ReportMetric(float64(hit)/float64(nq*10), "recall@10")
					b.ReportMetric(qps, "qps")
					b.ReportMetric(exactQPS, "exact-qps")
					b.ReportMetric(qps/exactQPS, "x-exact")
				})
			}
		})
	}
}

// BenchmarkSnapshot measures writing and restoring a 100k x 128 index
// (brute force, so no graph build is needed); MB/s is snapshot bytes.
func BenchmarkSnapshot(b *testing.B) {
	d := euclid100k
	set := d.generate(1)
	ix := mustNew(b, Config{Dims: d.dims, Distance: d.distance, Kind: BruteForce})
	loadSet(b, ix, set)
	var buf bytes.Buffer
	must(b, ix.WriteSnapshot(&buf))
	size := int64(buf.Len())
	b.Run("write", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			buf.Reset()
			must(b, ix.WriteSnapshot(&buf))
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := ReadSnapshot(bytes.NewReader(buf.Bytes())); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("clone", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ix.Clone()
		}
	})
}
