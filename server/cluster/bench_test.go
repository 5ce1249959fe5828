package cluster_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// benchClients are the concurrency levels every benchmark runs at.
var benchClients = []int{1, 16, 64}

// runConcurrent runs b.N calls of op over `clients` goroutines and reports
// throughput and p50/p99 latency.
func runConcurrent(b *testing.B, clients int, op func(i int) error) {
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

func benchCluster(b *testing.B, fsync bool) (*cluster.Cluster, *router) {
	c := start(b, cluster.Options{Fsync: fsync})
	return c, newRouter(b, c)
}

// BenchmarkPut measures replicated writes (3 replicas; Raft log appends
// without and with fsync) of 100-byte values sent straight to each key's leader.
func BenchmarkPut(b *testing.B) {
	for _, fsync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", fsync), func(b *testing.B) {
			c, r := benchCluster(b, fsync)
			keys := benchKeys(c, r, 4096)
			value := make([]byte, 100)
			ctx := context.Background()
			for _, clients := range benchClients {
				b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
					runConcurrent(b, clients, func(i int) error {
						k := keys[i%len(keys)]
						return k.retry(r, func(kv norikvpb.KvClient, o grpc.CallOption) error {
							_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: k.key, Value: value}, o)
							return err
						})
					})
				})
			}
		})
	}
}

// BenchmarkPutIdempotent is BenchmarkPut (no fsync) with a fresh
// idempotency key on every write, as the client sends: 15 of 16 keys are
// owned by another group than the written key's, so those writes first
// claim their key there (one more replicated entry, often forwarded).
func BenchmarkPutIdempotent(b *testing.B) {
	c, r := benchCluster(b, false)
	keys := benchKeys(c, r, 4096)
	value := make([]byte, 100)
	ctx := context.Background()
	var seq atomic.Int64
	for _, clients := range benchClients {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			runConcurrent(b, clients, func(i int) error {
				k := keys[i%len(keys)]
				idem := "bench-" + strconv.FormatInt(seq.Add(1), 10)
				return k.retry(r, func(kv norikvpb.KvClient, o grpc.CallOption) error {
					_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: k.key, Value: value, IdempotencyKey: idem}, o)
					return err
				})
			})
		})
	}
}

// BenchmarkGet measures lease reads on the leader.
func BenchmarkGet(b *testing.B) {
	c, r := benchCluster(b, false)
	keys := benchKeys(c, r, 4096)
	ctx := context.Background()
	// Load every key first, 64 writers at a time.
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(keys); i = int(next.Add(1)) - 1 {
				if err := keys[i].retry(r, func(kv norikvpb.KvClient, o grpc.CallOption) error {
					_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: keys[i].key, Value: make([]byte, 100)}, o)
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	for _, clients := range benchClients {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			runConcurrent(b, clients, func(i int) error {
				k := keys[i%len(keys)]
				return k.retry(r, func(kv norikvpb.KvClient, o grpc.CallOption) error {
					_, err := kv.Get(ctx, &norikvpb.GetRequest{Key: k.key}, o)
					return err
				})
			})
		})
	}
}

type benchKey struct {
	key  []byte
	addr atomic.Pointer[string] // cached leader address, updated from NOT_LEADER hints
}

func benchKeys(c *cluster.Cluster, r *router, n int) []*benchKey {
	out := make([]*benchKey, n)
	for i := range out {
		k := fmt.Sprintf("bench-%06d", i)
		out[i] = &benchKey{key: []byte(k)}
		addr := r.leaderAddr(k)
		out[i].addr.Store(&addr)
	}
	return out
}

// retry sends op to the cached leader, following NOT_LEADER hints as a
// client would (a leader change mid-benchmark costs a redirect, not a failure).
func (k *benchKey) retry(r *router, op func(norikvpb.KvClient, grpc.CallOption) error) error {
	for attempt := 0; ; attempt++ {
		var trailer metadata.MD
		err := op(r.kv(*k.addr.Load()), grpc.Trailer(&trailer))
		if status.Code(err) != codes.Unavailable || attempt == 50 {
			return err
		}
		if h := trailer.Get("leader-hint"); len(h) > 0 {
			k.addr.Store(&h[0])
		} else {
			time.Sleep(10 * time.Millisecond)
			addr := r.leaderAddr(string(k.key))
			k.addr.Store(&addr)
		}
	}
}

// BenchmarkFailover reports how long writes to a group stop when its leader
// is stopped (target: under 2 s on loopback).
func BenchmarkFailover(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := start(b, cluster.Options{TotalShards: 64, Groups: 4})
		r := newRouter(b, c)
		key := keysInGroup(c, "bf", 0, 1)[0]
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := r.put(ctx, key, "x", 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := c.StopNode(c.LeaderOf(0)); err != nil {
			b.Fatal(err)
		}
		stopped := time.Now()
		if _, err := r.put(ctx, key, "y", 0); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(time.Since(stopped).Milliseconds()), "ms-to-recover")
		cancel()
		b.StopTimer()
		_ = c.Close()
	}
}
