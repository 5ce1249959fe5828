package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/topology"
)

func start(t testing.TB, opts cluster.Options) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	return c
}

// router sends requests to the leader of each key, following NOT_LEADER
// hints, the way a client library would.
type router struct {
	c     *cluster.Cluster
	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

func newRouter(t testing.TB, c *cluster.Cluster) *router {
	r := &router{c: c, conns: map[string]*grpc.ClientConn{}}
	t.Cleanup(func() {
		for _, cc := range r.conns {
			_ = cc.Close()
		}
	})
	return r
}

func (r *router) kv(addr string) norikvpb.KvClient {
	r.mu.Lock()
	defer r.mu.Unlock()
	cc := r.conns[addr]
	if cc == nil {
		var err error
		cc, err = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			panic(err)
		}
		r.conns[addr] = cc
	}
	return norikvpb.NewKvClient(cc)
}

func (r *router) leaderAddr(key string) string {
	return r.c.Addr(r.c.LeaderOf(topology.ShardOf([]byte(key), r.c.Layout().TotalShards)))
}

// do runs op against the key's leader until it succeeds, an application
// error comes back, or ctx ends. Each attempt has a short deadline.
func (r *router) do(ctx context.Context, key string, op func(context.Context, norikvpb.KvClient, ...grpc.CallOption) error) error {
	addr := r.leaderAddr(key)
	next := 0
	for {
		var trailer metadata.MD
		actx, cancel := context.WithTimeout(ctx, time.Second)
		err := op(actx, r.kv(addr), grpc.Trailer(&trailer))
		cancel()
		code := status.Code(err)
		if err == nil || (code != codes.Unavailable && code != codes.DeadlineExceeded) {
			return err
		}
		if h := trailer.Get("leader-hint"); len(h) > 0 {
			addr = h[0]
		} else if a := r.leaderAddr(key); a != "" && a != addr {
			addr = a
		} else {
			addr = r.c.Addrs()[next%len(r.c.Addrs())]
			next++
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (r *router) put(ctx context.Context, key, value string, ttl uint64) (*norikvpb.PutResponse, error) {
	var resp *norikvpb.PutResponse
	err := r.do(ctx, key, func(ctx context.Context, kv norikvpb.KvClient, o ...grpc.CallOption) (err error) {
		resp, err = kv.Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte(value), TtlMs: ttl}, o...)
		return err
	})
	return resp, err
}

func (r *router) get(ctx context.Context, key, level string) (*norikvpb.GetResponse, error) {
	var resp *norikvpb.GetResponse
	err := r.do(ctx, key, func(ctx context.Context, kv norikvpb.KvClient, o ...grpc.CallOption) (err error) {
		resp, err = kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level}, o...)
		return err
	})
	return resp, err
}

// keysInGroup returns n keys whose shards belong to group g.
func keysInGroup(c *cluster.Cluster, prefix string, g, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		k := fmt.Sprintf("%s-%d", prefix, i)
		if c.Layout().GroupOfShard(topology.ShardOf([]byte(k), c.Layout().TotalShards)) == g {
			out = append(out, k)
		}
	}
	return out
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
