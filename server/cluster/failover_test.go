package cluster_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestFailoverLosesNoAcknowledgedWrite keeps writing to one group while its
// leader is stopped, then reads every acknowledged write back linearizably.
func TestFailoverLosesNoAcknowledgedWrite(t *testing.T) {
	c := start(t, cluster.Options{TotalShards: 64, Groups: 4})
	r := newRouter(t, c)
	ctx := ctxFor(t, 60*time.Second)
	const group = 1
	keys := keysInGroup(c, "fo", group, 2000)
	first, _ := c.Layout().ShardsOfGroup(group)
	victim := c.LeaderOf(first)

	var mu sync.Mutex
	acked := map[string]string{}
	var stopDone, firstAfter time.Time
	stopped := make(chan struct{}) // closed once StopNode has returned
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			if ctx.Err() != nil {
				return
			}
			after := false
			select {
			case <-stopped:
				after = true
			default:
			}
			k := keys[i%len(keys)]
			v := fmt.Sprintf("v%d", i)
			if _, err := r.put(ctx, k, v, 0); err != nil {
				continue
			}
			now := time.Now()
			mu.Lock()
			acked[k] = v
			if after && firstAfter.IsZero() {
				firstAfter = now
			}
			finished := !firstAfter.IsZero() && now.Sub(firstAfter) > 500*time.Millisecond
			mu.Unlock()
			if finished {
				return
			}
		}
	}()
	time.Sleep(400 * time.Millisecond)
	if err := c.StopNode(victim); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	stopDone = time.Now()
	mu.Unlock()
	close(stopped)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if firstAfter.IsZero() {
		t.Fatal("writes never succeeded again after the leader stopped")
	}
	// The 2 s failover target is measured by BenchmarkFailover; here we log it.
	t.Logf("leader %s stopped; writes to its group resumed %v later; %d keys acknowledged",
		victim, firstAfter.Sub(stopDone).Round(time.Millisecond), len(acked))
	if len(acked) < 10 {
		t.Fatalf("only %d writes acknowledged", len(acked))
	}
	if c.LeaderOf(first) == victim || c.LeaderOf(first) == "" {
		t.Fatalf("group still led by %q", c.LeaderOf(first))
	}
	for k, v := range acked {
		g, err := r.get(ctx, k, "linearizable")
		if err != nil {
			t.Fatalf("read back %s: %v", k, err)
		}
		if string(g.Value) != v {
			t.Fatalf("%s = %q, last acknowledged write was %q", k, g.Value, v)
		}
	}
}

// TestRestartCatchesUpAndRebalances stops a node, writes while it is down,
// restarts it, and checks it has every write, the view tracked its health
// with a rising epoch, and it got its groups' leadership back.
func TestRestartCatchesUpAndRebalances(t *testing.T) {
	c := start(t, cluster.Options{TotalShards: 64, Groups: 6})
	r := newRouter(t, c)
	ctx := ctxFor(t, 60*time.Second)
	watch, err := norikvpb.NewMetaClient(r.conns1(c.Addrs()[0])).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	views := make(chan *norikvpb.ClusterView, 1000)
	go func() {
		for {
			v, err := watch.Recv()
			if err != nil {
				close(views)
				return
			}
			views <- v
		}
	}()
	firstView := <-views

	written := map[string]*norikvpb.PutResponse{}
	for i := 0; i < 60; i++ {
		k := fmt.Sprintf("rs-%d", i)
		p, err := r.put(ctx, k, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		written[k] = p
		if i == 29 {
			if err := c.StopNode("n3"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The view marks n3 down with rising epochs.
	last := firstView.Epoch
	for role := "alive"; role != "dead"; {
		v := <-views
		if v == nil {
			t.Fatal("watch ended")
		}
		if v.Epoch == last {
			continue // a heartbeat repeat of the same view
		}
		if v.Epoch < last {
			t.Fatalf("epoch fell: %d after %d", v.Epoch, last)
		}
		last = v.Epoch
		role = v.Nodes[2].Role
		for _, s := range v.Shards {
			for _, rep := range s.Replicas {
				if rep.Leader && rep.NodeId == "n3" && role == "dead" {
					t.Fatalf("dead n3 still shown leading shard %d", s.Id)
				}
			}
		}
	}
	if err := c.RestartNode(ctx, "n3"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	for g := 0; g < c.Layout().Groups; g++ {
		first, _ := c.Layout().ShardsOfGroup(g)
		if got, want := c.LeaderOf(first), c.Layout().PreferredLeader(g); got != want {
			t.Errorf("group %d led by %s after n3 returned, want %s", g, got, want)
		}
	}
	kv := r.kv(c.Addr("n3"))
	for k, p := range written {
		for {
			g, err := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(k), Consistency: "stale_ok"})
			if err == nil && g.Version.Index == p.Version.Index && g.Version.Term == p.Version.Term {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("n3 never caught up on %s: %v %v", k, g, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for v := range drain(views) {
		if v.Epoch == last {
			continue // a heartbeat repeat of the same view
		}
		if v.Epoch < last {
			t.Fatalf("epoch fell: %d after %d", v.Epoch, last)
		}
		last = v.Epoch
	}
}

func drain(ch chan *norikvpb.ClusterView) chan *norikvpb.ClusterView {
	out := make(chan *norikvpb.ClusterView, len(ch))
	for len(ch) > 0 {
		out <- <-ch
	}
	close(out)
	return out
}

// TestDataAndTTLSurviveFullRestart restarts the whole cluster from its data dir.
func TestDataAndTTLSurviveFullRestart(t *testing.T) {
	dir := t.TempDir()
	opts := cluster.Options{TotalShards: 32, Groups: 4, DataDir: dir}
	ctx := ctxFor(t, 60*time.Second)
	c1, err := cluster.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r1 := newRouter(t, c1)
	keep, err := r1.put(ctx, "persist", "kept", 0)
	if err != nil {
		t.Fatal(err)
	}
	ttl, err := r1.put(ctx, "persist-ttl", "short-lived", 4000)
	if err != nil {
		t.Fatal(err)
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cluster.Start(ctx, cluster.Options{TotalShards: 64, Groups: 4, DataDir: dir}); err == nil {
		t.Fatal("restart with other flags succeeded")
	}
	c2 := start(t, opts)
	r2 := newRouter(t, c2)
	g, err := r2.get(ctx, "persist", "linearizable")
	if err != nil || string(g.Value) != "kept" || g.Version.Index != keep.Version.Index {
		t.Fatalf("after restart: %v %v", g, err)
	}
	expiry := time.UnixMilli(mustParse(t, ttl.Meta["expires_at_ms"]))
	if time.Until(expiry) > 300*time.Millisecond {
		g, err := r2.get(ctx, "persist-ttl", "")
		if err != nil || string(g.Value) != "short-lived" {
			t.Fatalf("TTL key before its expiry, after restart: %v %v", g, err)
		}
	} else {
		t.Log("restart took too long to check the TTL key before it expired")
	}
	time.Sleep(time.Until(expiry) + 50*time.Millisecond)
	_, err = r2.get(ctx, "persist-ttl", "")
	if status.Code(err) != codes.NotFound {
		t.Fatalf("TTL key after expiry across a restart: %v", err)
	}
}

// TestCutLinkIsolatesLeader cuts a leader off from both followers: the
// group elects another leader, and healing brings the cluster back.
func TestCutLinkIsolatesLeader(t *testing.T) {
	c := start(t, cluster.Options{TotalShards: 64, Groups: 3})
	r := newRouter(t, c)
	ctx := ctxFor(t, 60*time.Second)
	key := keysInGroup(c, "cut", 0, 1)[0]
	shard := topology.ShardOf([]byte(key), 64)
	old := c.LeaderOf(shard)
	for _, id := range c.NodeIDs() {
		if id != old {
			c.CutLink(old, id)
		}
	}
	p, err := r.put(ctx, key, "during-partition", 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Meta["served_by"] == old {
		t.Fatalf("isolated %s acknowledged a write", old)
	}
	c.HealAll()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := r.get(ctx, key, "linearizable")
	if err != nil || string(g.Value) != "during-partition" {
		t.Fatalf("after heal: %v %v", g, err)
	}
}

func mustParse(t *testing.T, s string) int64 {
	var v int64
	if _, err := fmt.Sscan(s, &v); err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func (r *router) conns1(addr string) *grpc.ClientConn {
	r.kv(addr)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns[addr]
}
