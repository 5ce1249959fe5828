// Command vecbench generates a clustered data set (package datagen), writes
// it as .npy files for other engines, builds a vectorindex HNSW index on it
// and measures queries/s per ef with a given number of goroutines. The
// returned neighbours are written as .npy too, so recall can be computed
// against an independent ground truth (bench/compare_hnswlib.py does).
//
//	go run ./server/vectorindex/cmd/vecbench -n 100000 -dims 128 -distance euclidean -out /tmp/vb
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/norikv/norikv-console/server/datagen"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

type options struct {
	n, dims, queries, k, m, efc, threads int
	distance                             string
	seed                                 uint64
	efs                                  []int
	out                                  string
	minTime                              time.Duration
	cpuProfile, index                    string
	reps                                 int
	latent, clusters                     int
	noise                                float64
}

// run is one ef's measurement, as written to ours.json.
type run struct {
	Ef          int     `json:"ef"`
	QPS         float64 `json:"qps"`
	CPUQPS      float64 `json:"cpu_qps"`     // queries per CPU second of the process (best window)
	SelfRecall  float64 `json:"self_recall"` // against our exact search
	Neighbours  string  `json:"neighbours"`  // .npy of result row numbers
	Queries     int     `json:"queries_timed"`
	ElapsedSecs float64 `json:"elapsed_s"`
}

type report struct {
	Engine    string  `json:"engine"`
	N         int     `json:"n"`
	Dims      int     `json:"dims"`
	Distance  string  `json:"distance"`
	M         int     `json:"m"`
	EfC       int     `json:"ef_construction"`
	Threads   int     `json:"threads"`
	BuildSecs float64 `json:"build_s"`
	// BuildCPUSecs is the process's CPU time during the build, which a
	// busy machine inflates far less than build_s.
	BuildCPUSecs float64 `json:"build_cpu_s"`
	ExactQPS     float64 `json:"exact_qps"`
	Kernels      string  `json:"kernels"`
	Runs         []run   `json:"runs"`
}

func main() {
	if err := realMain(); err != nil {
		fmt.Fprintln(os.Stderr, "vecbench:", err)
		os.Exit(1)
	}
}

func parseFlags() (options, error) {
	var o options
	var efs string
	flag.IntVar(&o.n, "n", 100000, "base vectors")
	flag.IntVar(&o.dims, "dims", 128, "dimensions")
	flag.IntVar(&o.queries, "queries", 1000, "query vectors")
	flag.IntVar(&o.k, "k", 10, "neighbours per query")
	flag.IntVar(&o.m, "M", vectorindex.DefaultM, "HNSW M")
	flag.IntVar(&o.efc, "efc", vectorindex.DefaultEfConstruction, "HNSW efConstruction")
	flag.IntVar(&o.threads, "threads", 1, "search goroutines")
	flag.StringVar(&o.distance, "distance", "euclidean", "euclidean, cosine or ip")
	flag.Uint64Var(&o.seed, "seed", 42, "data set seed")
	flag.StringVar(&efs, "ef", "10,16,24,32,48,64,96,128", "comma-separated ef values")
	flag.StringVar(&o.out, "out", "vecbench-out", "output directory")
	flag.DurationVar(&o.minTime, "min-time", time.Second, "minimum timing per ef")
	flag.IntVar(&o.latent, "latent", 0, "latent subspace dimension (0: datagen default, 16)")
	flag.IntVar(&o.clusters, "clusters", 0, "cluster count (0: datagen default, 100)")
	flag.Float64Var(&o.noise, "noise", 0, "ambient noise per dimension (0: datagen default, 0.1)")
	flag.IntVar(&o.reps, "reps", 3, "timed windows per ef; the best one counts")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the HNSW searches to this file")
	flag.StringVar(&o.index, "index", "", "index snapshot file: read it instead of building when it exists, else build and write it (repeated timing rounds)")
	flag.Parse()
	for _, s := range strings.Split(efs, ",") {
		ef, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || ef < 1 {
			return o, fmt.Errorf("bad -ef value %q: want positive integers", s)
		}
		o.efs = append(o.efs, ef)
	}
	if o.threads < 1 || o.n < 1 || o.queries < 1 || o.k < 1 || o.reps < 1 {
		return o, fmt.Errorf("-n, -queries, -k, -threads and -reps must be positive")
	}
	return o, nil
}

func distanceOf(s string) (vectorindex.Distance, error) {
	switch s {
	case "euclidean", "l2":
		return vectorindex.Euclidean, nil
	case "cosine":
		return vectorindex.Cosine, nil
	case "ip", "inner_product":
		return vectorindex.InnerProduct, nil
	}
	return 0, fmt.Errorf("unknown -distance %q: use euclidean, cosine or ip", s)
}

func realMain() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	dist, err := distanceOf(o.distance)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	set := datagen.Generate(datagen.Spec{N: o.n, Queries: o.queries, Dims: o.dims, Seed: o.seed,
		Latent: o.latent, Clusters: o.clusters, Noise: o.noise})
	if err := writeNpy(filepath.Join(o.out, "base.npy"), set.Base, o.n, o.dims); err != nil {
		return err
	}
	if err := writeNpy(filepath.Join(o.out, "queries.npy"), set.Queries, o.queries, o.dims); err != nil {
		return err
	}
	start, cpu0 := time.Now(), processCPU()
	ix, built, err := buildOrLoad(o, dist, set)
	if err != nil {
		return err
	}
	rep := report{Engine: "norikv-go", N: o.n, Dims: o.dims, Distance: o.distance, M: o.m, EfC: o.efc,
		Threads: o.threads, BuildSecs: time.Since(start).Seconds(), BuildCPUSecs: (processCPU() - cpu0).Seconds(),
		Kernels: vectorindex.KernelName()}
	if built {
		fmt.Printf("norikv-go: built %d x %d %s HNSW (M=%d efC=%d) in %.1fs (%.1fs CPU), %d MiB, kernels %s\n",
			o.n, o.dims, o.distance, o.m, o.efc, rep.BuildSecs, rep.BuildCPUSecs, ix.Bytes()>>20, rep.Kernels)
	} else {
		rep.BuildSecs, rep.BuildCPUSecs = 0, 0 // loaded from -index: no build time to report
		fmt.Printf("norikv-go: loaded %d x %d %s HNSW (M=%d efC=%d) from %s, kernels %s\n",
			o.n, o.dims, o.distance, o.m, o.efc, o.index, rep.Kernels)
	}

	exact := make([][]vectorindex.Match, o.queries)
	exactQPS, _, _, err := measure(o, func(i int) ([]vectorindex.Match, error) {
		return ix.SearchExact(set.Row(set.Queries, i), o.k)
	}, exact, o.minTime/4)
	if err != nil {
		return fmt.Errorf("exact search: %w", err)
	}
	rep.ExactQPS = exactQPS
	fmt.Printf("norikv-go: exact search %.1f qps with %d goroutines\n", exactQPS, o.threads)
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, ef := range o.efs {
		res := make([][]vectorindex.Match, o.queries)
		qps, cpuQPS, elapsed, err := measure(o, func(i int) ([]vectorindex.Match, error) {
			return ix.Search(set.Row(set.Queries, i), o.k, ef)
		}, res, o.minTime)
		if err != nil {
			return fmt.Errorf("search ef=%d: %w", ef, err)
		}
		r := run{Ef: ef, QPS: qps, CPUQPS: cpuQPS, SelfRecall: selfRecall(exact, res), ElapsedSecs: elapsed.Seconds(),
			Neighbours: fmt.Sprintf("ours_ef%d.npy", ef)}
		if err := writeNeighbours(filepath.Join(o.out, r.Neighbours), res, o.k); err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, r)
		fmt.Printf("norikv-go: ef=%-4d qps=%9.1f cpu_qps=%9.1f recall@%d(vs our exact)=%.4f\n", ef, qps, cpuQPS, o.k, r.SelfRecall)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.out, "ours.json"), b, 0o644)
}

// measure runs every query once, storing results, then times o.reps
// windows of at least minTime each (whole passes over the queries on
// o.threads goroutines) and returns the best window's queries per second:
// on a shared machine the best window is the one least disturbed by others.
// It also returns the best window's queries per CPU second of the process.
func measure(o options, search func(int) ([]vectorindex.Match, error), out [][]vectorindex.Match, minTime time.Duration) (float64, float64, time.Duration, error) {
	var firstErr error
	var errOnce sync.Once
	pass := func(store bool) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range o.threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= o.queries {
						return
					}
					m, err := search(i)
					if err != nil {
						errOnce.Do(func() { firstErr = fmt.Errorf("query %d: %w", i, err) })
						return
					}
					if store {
						out[i] = m
					}
				}
			}()
		}
		wg.Wait()
	}
	pass(true)
	best, bestCPU, total := 0.0, 0.0, time.Duration(0)
	for range o.reps {
		runtime.GC()
		start, cpu0 := time.Now(), processCPU()
		done := 0
		for firstErr == nil && (done == 0 || time.Since(start) < minTime) {
			pass(false)
			done += o.queries
		}
		elapsed, cpu := time.Since(start), processCPU()-cpu0
		total += elapsed
		best = max(best, float64(done)/elapsed.Seconds())
		if cpu > 0 {
			bestCPU = max(bestCPU, float64(done)/cpu.Seconds())
		}
	}
	return best, bestCPU, total, firstErr
}

func selfRecall(exact, got [][]vectorindex.Match) float64 {
	hit, total := 0, 0
	for i := range exact {
		want := map[string]bool{}
		for _, m := range exact[i] {
			want[m.ID] = true
		}
		for _, m := range got[i] {
			if want[m.ID] {
				hit++
			}
		}
		total += len(exact[i])
	}
	return float64(hit) / float64(total)
}

func writeNeighbours(path string, res [][]vectorindex.Match, k int) error {
	rows := make([]int32, len(res)*k)
	for i := range rows {
		rows[i] = -1
	}
	for i, ms := range res {
		for j, m := range ms {
			n, err := strconv.Atoi(m.ID)
			if err != nil {
				return fmt.Errorf("unexpected id %q", m.ID)
			}
			rows[i*k+j] = int32(n)
		}
	}
	return writeNpy(path, rows, len(res), k)
}
