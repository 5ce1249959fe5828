package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// startAtBase starts an embedded cluster serving clients on base, base+1, ...
func startAtBase(t *testing.T, base int, opts cluster.Options) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts.BasePort = base
	cl, err := cluster.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start cluster at %d: %v", base, err)
	}
	return cl
}

// freeBase finds n free consecutive ports on 127.0.0.1.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		base := 20000 + rand.IntN(40000)
		free := true
		for i := range n {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				free = false
				break
			}
			_ = ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

// shardEvents records a client's topology events that carry a shard count.
type shardEvents struct {
	mu     sync.Mutex
	events []client.TopologyEvent
}

func (s *shardEvents) record(ev client.TopologyEvent) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
}

// changed returns the first event whose count went from prev to cur.
func (s *shardEvents) changed(prev, cur int) (client.TopologyEvent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range s.events {
		if ev.PreviousTotalShards == prev && ev.TotalShards == cur {
			return ev, true
		}
	}
	return client.TopologyEvent{}, false
}

// A cluster restarted with another shard count under a running client was
// noticed only as Scan's error: the client kept routing by the count it
// started with. Now every client sees the new count in a TopologyEvent; one
// that adopts the cluster's count (Config.AdoptShardCount) routes by it,
// one with a fixed count keeps it and refuses Scan with ErrShardCount. The
// restart is real: the cluster is closed and another started on the same
// ports with 64 shards instead of 256.
func TestClusterRestartedWithAnotherShardCount(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two embedded clusters")
	}
	base := freeBase(t, 3)
	first := startAtBase(t, base, cluster.Options{Nodes: 3, TotalShards: 256, Groups: 4})
	stopFirst := sync.OnceFunc(func() { closeCluster(t, first) })
	t.Cleanup(stopFirst)
	seeds := first.Addrs()
	newClient := func(adopt bool) (*client.Client, *shardEvents) {
		c, err := client.New(client.Config{Nodes: seeds, TotalShards: 256, AdoptShardCount: adopt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		evs := &shardEvents{}
		c.OnTopologyChange(evs.record)
		if err := c.Connect(tctx(t)); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		return c, evs
	}
	adopting, adoptEvs := newClient(true)
	fixed, fixedEvs := newClient(false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := adopting.Put(ctx, []byte("before"), []byte("v"), nil); err != nil {
		t.Fatalf("put before the restart: %v", err)
	}

	stopFirst()
	second := startAtBase(t, base, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	t.Cleanup(func() { closeCluster(t, second) })

	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for end := time.Now().Add(60 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("%s: not within 60 s", what)
			}
		}
	}
	var ev client.TopologyEvent
	waitUntil("the adopting client's event of 64 shards", func() (ok bool) { ev, ok = adoptEvs.changed(256, 64); return ok })
	if ev.RoutedShards != 64 {
		t.Fatalf("adopting client's event %+v: routes by %d shards, want 64", ev, ev.RoutedShards)
	}
	if n := adopting.Config().TotalShards; n != 64 {
		t.Fatalf("adopting client routes by %d shards, want the cluster's 64", n)
	}
	if err := adopting.CheckShardCount(); err != nil {
		t.Fatalf("adopting client's CheckShardCount: %v", err)
	}
	waitUntil("the fixed client's event of 64 shards", func() (ok bool) { ev, ok = fixedEvs.changed(256, 64); return ok })
	if ev.RoutedShards != 256 {
		t.Fatalf("fixed client's event %+v: routes by %d shards, want its own 256", ev, ev.RoutedShards)
	}
	var sce *client.ShardCountError
	if err := fixed.CheckShardCount(); !errors.As(err, &sce) || sce.Configured != 256 || sce.Cluster != 64 {
		t.Fatalf("fixed client's CheckShardCount = %v, want 64 against 256", err)
	}

	// Writes after the restart: each routed to the shard the servers use
	// by the adopting client, and placed right by the servers for both.
	for i := range 30 {
		for _, c := range []*client.Client{adopting, fixed} {
			key := fmt.Appendf(nil, "after-%02d", i)
			if _, err := c.Put(ctx, key, []byte("v"), nil); err != nil {
				t.Fatalf("put after the restart: %v", err)
			}
		}
		key := fmt.Appendf(nil, "after-%02d", i)
		if got, want := adopting.Route(key).Shard, client.ShardForKey(key, 64); got != want {
			t.Fatalf("adopting client routes %q to shard %d, the cluster's is %d", key, got, want)
		}
	}
	res, err := adopting.Scan(ctx, &client.ScanOptions{Prefix: []byte("after-"), Limit: 100})
	if err != nil || len(res.Entries) != 30 {
		t.Fatalf("adopting client's Scan = %v, %v: want the 30 keys", res, err)
	}
	if _, err := fixed.Scan(ctx, &client.ScanOptions{Prefix: []byte("after-"), Limit: 100}); !errors.Is(err, client.ErrShardCount) {
		t.Fatalf("fixed client's Scan = %v, want ErrShardCount", err)
	}
}
