package client_test

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

func BenchmarkShardForKey(b *testing.B) {
	key := []byte("user:12345:profile")
	b.ReportAllocs()
	for b.Loop() {
		_ = client.ShardForKey(key, 1024)
	}
}

// benchKeys are spread over shards (and so over leaders).
func benchKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("bench:%04d", i))
	}
	return keys
}

// rawStubs dials each node once, with the client's own dial options, and
// returns, per key, the Kv stub of the node that leads the key's shard now:
// the best a hand-written caller could do.
func rawStubs(b *testing.B, c *client.Client, keys [][]byte) ([]norikvpb.KvClient, func()) {
	conns := map[string]*grpc.ClientConn{}
	stubs := make([]norikvpb.KvClient, len(keys))
	for i, k := range keys {
		addr := c.Route(k).LeaderAddr
		cc, ok := conns[addr]
		if !ok {
			var err error
			cc, err = grpc.NewClient(addr, c.DialOptionsForTest()...)
			if err != nil {
				b.Fatal(err)
			}
			conns[addr] = cc
		}
		stubs[i] = norikvpb.NewKvClient(cc)
	}
	return stubs, func() {
		for _, cc := range conns {
			_ = cc.Close()
		}
	}
}

// seededBench starts a cluster, writes 64 keys and dials a raw stub at each
// key's leader (closed when the benchmark ends), for client-vs-raw runs.
func seededBench(b *testing.B) (*client.Client, [][]byte, []norikvpb.KvClient) {
	_, c := startCluster(b)
	keys := benchKeys(64)
	for _, k := range keys {
		if _, err := c.Put(context.Background(), k, []byte("seed"), nil); err != nil {
			b.Fatal(err)
		}
	}
	stubs, closeRaw := rawStubs(b, c, keys)
	b.Cleanup(closeRaw)
	return c, keys, stubs
}

// BenchmarkKV compares Put and Get through the client with the raw generated
// stub dialled straight at each key's leader, on one embedded cluster:
// sequential (reports p50) and with 64 concurrent callers (reports ops/s).
func BenchmarkKV(b *testing.B) {
	c, keys, stubs := seededBench(b)
	ctx := context.Background()
	value := make([]byte, 100)

	ops := map[string]func(i int) error{
		"put/client": func(i int) error {
			_, err := c.Put(ctx, keys[i%len(keys)], value, nil)
			return err
		},
		"put/raw": func(i int) error {
			k := keys[i%len(keys)]
			_, err := stubs[i%len(keys)].Put(ctx, &norikvpb.PutRequest{Key: k, Value: value, IdempotencyKey: c.IdempotencyKeyForTest(k)})
			return err
		},
		"get/client": func(i int) error {
			_, err := c.Get(ctx, keys[i%len(keys)], nil)
			return err
		},
		"get/raw": func(i int) error {
			_, err := stubs[i%len(keys)].Get(ctx, &norikvpb.GetRequest{Key: keys[i%len(keys)]})
			return err
		},
	}
	names := []string{"put/raw", "put/client", "get/raw", "get/client"}
	for _, name := range names {
		op := ops[name]
		b.Run(name+"/seq", func(b *testing.B) {
			b.ReportAllocs()
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if err := op(i); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				i++
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		})
	}
	for _, name := range names {
		op := ops[name]
		b.Run(name+"/par64", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism((64 + procs() - 1) / procs())
			var next atomic.Int64
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(int(next.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
		})
	}
}
