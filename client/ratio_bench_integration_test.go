package client_test

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// BenchmarkKVRatio measures the client against the raw stub in alternation
// (one raw op, one client op; or one 200ms window of 64 raw callers, one of
// 64 client callers), so load drift on a shared machine hits both equally.
// It reports both sides and their ratio: the targets are p50 ratio <= 1.25
// and throughput ratio >= 0.8.
func BenchmarkKVRatio(b *testing.B) {
	c, keys, stubs := seededBench(b)
	ctx := context.Background()
	value := make([]byte, 100)
	type pair struct{ raw, cli func(i int) error }
	ops := map[string]pair{
		"put": {
			raw: func(i int) error {
				_, err := stubs[i%len(keys)].Put(ctx, &norikvpb.PutRequest{Key: keys[i%len(keys)], Value: value})
				return err
			},
			cli: func(i int) error {
				_, err := c.Put(ctx, keys[i%len(keys)], value, nil)
				return err
			},
		},
		"get": {
			raw: func(i int) error {
				_, err := stubs[i%len(keys)].Get(ctx, &norikvpb.GetRequest{Key: keys[i%len(keys)]})
				return err
			},
			cli: func(i int) error {
				_, err := c.Get(ctx, keys[i%len(keys)], &client.GetOptions{})
				return err
			},
		},
	}
	for _, name := range []string{"put", "get"} {
		op := ops[name]
		b.Run(name+"/seq", func(b *testing.B) {
			var rawLat, cliLat []time.Duration
			i, rawErrors := 0, 0
			for b.Loop() {
				t0 := time.Now()
				rawErr := op.raw(i)
				t1 := time.Now()
				if err := op.cli(i); err != nil {
					b.Fatal(err)
				}
				// The raw stub cannot follow a leader that moved (elections
				// happen on a loaded machine): such samples are left out.
				if rawErr == nil {
					rawLat = append(rawLat, t1.Sub(t0))
				} else {
					rawErrors++
				}
				cliLat = append(cliLat, time.Since(t1))
				i++
			}
			r, cl := median(rawLat), median(cliLat)
			b.ReportMetric(float64(r.Microseconds()), "raw-p50-µs")
			b.ReportMetric(float64(cl.Microseconds()), "client-p50-µs")
			b.ReportMetric(float64(cl)/float64(r), "p50-ratio")
			b.ReportMetric(float64(rawErrors), "raw-errors")
		})
		b.Run(name+"/par64", func(b *testing.B) {
			var rawOps, cliOps, rawErrs int64
			var rawTime, cliTime time.Duration
			for b.Loop() {
				n, e, d := window(64, 200*time.Millisecond, op.raw)
				rawOps, rawErrs, rawTime = rawOps+n, rawErrs+e, rawTime+d
				n, e, d = window(64, 200*time.Millisecond, op.cli)
				if e > 0 {
					b.Fatalf("%d client errors", e)
				}
				cliOps, cliTime = cliOps+n, cliTime+d
			}
			b.ReportMetric(float64(rawErrs), "raw-errors")
			r := float64(rawOps) / rawTime.Seconds()
			cl := float64(cliOps) / cliTime.Seconds()
			b.ReportMetric(r, "raw-ops/s")
			b.ReportMetric(cl, "client-ops/s")
			b.ReportMetric(cl/r, "ops-ratio")
		})
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// window runs op from callers goroutines for about d and returns how many
// ops succeeded, how many failed, and how long the window really lasted.
func window(callers int, d time.Duration, op func(int) error) (int64, int64, time.Duration) {
	var n, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; time.Now().Before(deadline); i += callers {
				if err := op(i); err != nil {
					errs.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return n.Load(), errs.Load(), time.Since(start)
}
