package headless

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// TestTraceGolden: trace's hash, shard and group are fixed by the key; the
// leader and address are normalized.
func TestTraceGolden(t *testing.T) {
	for _, f := range []string{"table", "json"} {
		t.Run(f, func(t *testing.T) {
			out := must(t, "", "trace", "user:42", "-o", f, nodesFlag())
			golden.RequireEqual(t, normalize(out, f == "table"))
		})
	}
	var r traceResult
	if err := json.Unmarshal([]byte(must(t, "", "trace", "user:42", nodesFlag())), &r); err != nil {
		t.Fatal(err)
	}
	if want := client.ShardForKey([]byte("user:42"), 1024); r.Shard != want || r.Group == nil || r.Leader == "" || shared.Addr(r.Leader) != r.Address {
		t.Fatalf("trace %+v: want shard %d, a group, and the leader's address", r, want)
	}
	if leader := shared.LeaderOf(uint32(r.Shard)); leader != r.Leader {
		t.Logf("leader %s per the cluster, %s per the trace (a move in between?)", leader, r.Leader)
	}
}

// TestStatusHealthy: every node alive and answering, every shard led: exit
// 0, with the nodes, their leadership and the groups.
func TestStatusHealthy(t *testing.T) {
	var s statusResult
	if err := json.Unmarshal([]byte(must(t, "", "status", nodesFlag())), &s); err != nil {
		t.Fatal(err)
	}
	led := 0
	for _, n := range s.Nodes {
		led += n.ShardsLed
	}
	l := shared.Layout()
	if !s.Healthy || len(s.Nodes) != 3 || led != l.TotalShards || s.TotalGroups != l.Groups || len(s.Groups) != l.Groups || len(s.Problems) != 0 || s.Epoch == 0 {
		t.Fatalf("status %+v: want healthy, 3 nodes leading %d shards, %d groups", s, l.TotalShards, l.Groups)
	}
	table := must(t, "", "status", "-o", "table", nodesFlag())
	for _, want := range []string{"cluster healthy", "3/3 nodes up", "NODE", "SHARDS LED", "GROUP"} {
		if !strings.Contains(table, want) {
			t.Fatalf("table misses %q:\n%s", want, table)
		}
	}
}

// ownCluster starts a cluster of the test's own (stopping its nodes would
// disturb the other tests), closed at the test's end, and checks status
// finds it healthy; it returns the cluster and its --nodes flag.
func ownCluster(t *testing.T) (*cluster.Cluster, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a second cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := startCluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	nodes := "--nodes=" + strings.Join(cl.Addrs(), ",")
	must(t, "", "status", nodes)
	return cl, nodes
}

// TestStatusDegraded: with a node stopped, status exits 7 and names it; the
// cluster is its own, since stopping a node would disturb the other tests.
func TestStatusDegraded(t *testing.T) {
	cl, nodes := ownCluster(t)
	if err := cl.StopNode("n3"); err != nil {
		t.Fatal(err)
	}
	var last result
	eventually(t, time.Minute, "status to report the stopped node", func() bool {
		last = run(t, "", "status", nodes)
		return last.code == ExitDegraded
	})
	var s statusResult
	if err := json.Unmarshal([]byte(last.stdout), &s); err != nil {
		t.Fatalf("stdout %q: %v", last.stdout, err)
	}
	if s.Healthy || !strings.Contains(strings.Join(s.Problems, ";"), "n3") || !strings.Contains(last.stderr, "degraded") {
		t.Fatalf("status %+v, stderr %s: want degraded naming n3", s, last.stderr)
	}
}

// TestStatusWithMostNodesDown: two of three nodes stopped. The node left
// cannot follow the cluster; status used to fail to connect at all (exit
// 5), then (its view given) counted every shard led by its old view. It
// exits 7 naming both nodes and the groups without a leader, and says that
// the view printed is n1's, not kept current (it printed it as the
// cluster's).
func TestStatusWithMostNodesDown(t *testing.T) {
	cl, nodes := ownCluster(t)
	for _, id := range []string{"n2", "n3"} {
		if err := cl.StopNode(id); err != nil {
			t.Fatal(err)
		}
	}
	var last result
	var s statusResult
	eventually(t, time.Minute, "status to name the stopped nodes and the leaderless groups", func() bool {
		last = run(t, "", "status", nodes)
		s = statusResult{}
		if last.code != ExitDegraded || json.Unmarshal([]byte(last.stdout), &s) != nil {
			return false
		}
		p := strings.Join(s.Problems, "\n")
		// Every group, once n1's leaders have stepped down and its
		// followers have stopped hearing theirs.
		return strings.Contains(p, "n2 (") && strings.Contains(p, "n3 (") && s.TotalGroups > 0 &&
			strings.Count(p, "has no leader: n1 knows none") == s.TotalGroups &&
			// n1 hears no metadata leader: its view is not kept current,
			// and status says the view printed is n1's last known.
			strings.Contains(p, "the cluster view is not current: n1 cannot follow the cluster: it has not heard from the metadata group's leader")
	})
	if s.Healthy {
		t.Fatalf("status %+v", s)
	}
}

// TestWatchStreamsLeaderMoves: watch prints a snapshot, then a JSON line per
// topology change (here a leader move), until its context ends (exit 0).
func TestWatchStreamsLeaderMoves(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, "watch", []string{nodesFlag(), "-o", "json"}, IO{Stdout: &out, Stderr: &errOut})
	}()
	eventually(t, 30*time.Second, "the snapshot line", func() bool { return strings.Contains(out.String(), `"event":"snapshot"`) })

	const shard = 300
	from := shared.LeaderOf(shard)
	to := "n1"
	if from == "n1" {
		to = "n2"
	}
	moveCtx, moveCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer moveCancel()
	if err := shared.TransferShard(moveCtx, shard, to); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "a change event moving shard 300", func() bool {
		for _, l := range strings.Split(out.String(), "\n") {
			var ev watchEvent
			if json.Unmarshal([]byte(l), &ev) == nil && ev.Event == "change" && ev.LeaderChanges["300"] == to {
				return true
			}
		}
		return false
	})
	cancel()
	select {
	case code := <-done:
		if code != ExitOK || errOut.String() != "" {
			t.Fatalf("watch ended with %d, stderr %q", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop when its context ended")
	}
	// Put the leader back for the other tests.
	_ = shared.TransferShard(moveCtx, shard, from)
}
