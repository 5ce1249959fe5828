package cluster_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/node"
)

// slowCommitTiming makes an idle leader re-send its commit index only
// every 30 s, so anything the followers learn sooner they learn from the
// metadata leader pushing it.
func slowCommitTiming() node.Timing {
	tm := node.DefaultTiming()
	tm.CommitTimeout = 30 * time.Second
	return tm
}

// Start waits for every node's own view to show every group's leader.
// Followers used to learn the committed topology only when the metadata
// leader next re-sent its commit index (CommitTimeout, 0.5-1 s by
// default): with it at 30 s, Start did not return within 20 s.
func TestStartNeedsNoCommitTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{TotalShards: 64, Groups: 6, Timing: slowCommitTiming()})
	if err != nil {
		t.Fatalf("start with a 30 s commit timeout: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })

	// A later change (a leader moved by hand) reaches every view as fast.
	const shard = 0
	from := c.LeaderOf(shard)
	to := "n2"
	if from == to {
		to = "n3"
	}
	if err := c.TransferShard(ctx, shard, to); err != nil {
		t.Fatalf("transfer shard %d from %s to %s: %v", shard, from, to, err)
	}
	for _, addr := range c.Addrs() {
		if got := watchUntilLeader(ctx, t, addr, shard, to); got != to {
			t.Fatalf("the view of the node at %s still shows %q leading shard %d, not %s", addr, got, shard, to)
		}
	}
}

// watchUntilLeader follows the node's cluster view (WatchCluster) until it
// shows leader leading shard or ctx ends, and returns the last leader seen.
func watchUntilLeader(ctx context.Context, t *testing.T, addr string, shard uint32, leader string) string {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	stream, err := norikvpb.NewMetaClient(cc).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatalf("watch %s: %v", addr, err)
	}
	last := ""
	for {
		v, err := stream.Recv()
		if err != nil {
			return last
		}
		for _, sh := range v.GetShards() {
			if sh.GetId() != shard {
				continue
			}
			for _, r := range sh.GetReplicas() {
				if r.GetLeader() {
					last = r.GetNodeId()
				}
			}
		}
		if last == leader {
			return last
		}
	}
}

// BenchmarkStart times an embedded cluster's start (3 nodes, the default groups,
// fresh temp data dir) until Start returns; closing it is not timed.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		c, err := cluster.Start(ctx, cluster.Options{})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// A cluster restarted from its data dir replays the cluster view of its
// last run, which names every group's leader of then: Start must still
// return only once every group has elected a leader in this run.
func TestRestartFromDataReadyMeansLed(t *testing.T) {
	dir := t.TempDir()
	opts := cluster.Options{TotalShards: 64, Groups: 8, DataDir: dir}
	for run := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c, err := cluster.Start(ctx, opts)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for g := 0; g < opts.Groups; g++ {
			if shard, _ := c.Layout().ShardsOfGroup(g); c.LeaderOf(shard) == "" {
				t.Errorf("run %d: Start returned while group %d had no leader", run, g)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkRestartWithData times a whole cluster's start from its data dir
// right after it was closed (3 nodes, the default groups) until Start returns: each
// node's restart hold (restarthold.go) makes it wait out a heartbeat
// timeout from its last run before it votes. Closing is not timed.
func BenchmarkRestartWithData(b *testing.B) {
	opts := cluster.Options{DataDir: b.TempDir()}
	start := func() *cluster.Cluster {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := cluster.Start(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	c := start()
	for b.Loop() {
		b.StopTimer()
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c = start()
	}
	b.StopTimer()
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
}
