package headless

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// `status` seeded with a node cut off from its peers (a network partition;
// the console reaches it) must not print that node's last view as the
// cluster's: it said "cluster healthy · epoch 6 · 3/3 nodes up" and exited
// 0 while the others had judged the node dead and moved its leaderships
// (epoch 12). The other nodes' own reports name the newer epoch; status now
// waits for the client's view to catch up (the client watches another node
// once the cut-off one says its view is not current) and prints that one.
func TestStatusThroughACutOffNodeShowsTheCurrentView(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := startOwnCluster(t, ctx)
	addrs := cl.Addrs()
	watcher := connectedClient(t, ctx, addrs[:2])
	before := watcher.ClusterView().Epoch

	cl.CutLink("n3", "n1")
	cl.CutLink("n3", "n2")
	// The majority side judges n3 dead in a new epoch.
	eventually(t, 30*time.Second, "n1 and n2 to judge n3 dead", func() bool {
		v := watcher.ClusterView()
		for _, n := range v.Nodes {
			if n.ID == "n3" {
				return n.Role == "dead" && v.Epoch > before
			}
		}
		return false
	})
	current := watcher.ClusterView().Epoch

	r := run(t, "", "status", "--nodes="+addrs[2], "--shards=64", "-o", "json")
	var got struct {
		Healthy bool   `json:"healthy"`
		Epoch   uint64 `json:"epoch"`
		Nodes   []struct {
			ID     string `json:"id"`
			Health string `json:"health"`
		} `json:"nodes"`
		Problems []string `json:"problems"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if got.Healthy || r.code == ExitOK {
		t.Fatalf("status through the cut-off n3 says healthy (exit %d, epoch %d; the cluster is at %d with n3 dead):\n%s", r.code, got.Epoch, current, r.stdout)
	}
	if got.Epoch < current {
		t.Fatalf("status printed epoch %d, the cut-off node's; the cluster is at %d:\n%s", got.Epoch, current, r.stdout)
	}
	for _, n := range got.Nodes {
		if n.ID == "n3" && n.Health == "alive" {
			t.Fatalf("n3 printed alive:\n%s", r.stdout)
		}
	}
	t.Logf("exit %d, epoch %d (before the cut %d), problems %q", r.code, got.Epoch, before, got.Problems)
}

// When the client's view does not catch up in time, the problems say the
// view is behind and who reports the newer epoch, so it is never healthy.
func TestStatusSaysTheViewIsBehindTheNodesReports(t *testing.T) {
	view := &client.ClusterView{Epoch: 6, Nodes: []client.ClusterNode{
		{ID: "n1", Addr: "a:1", Role: "alive"}, {ID: "n2", Addr: "a:2", Role: "alive"},
	}, Shards: []client.ShardInfo{{ID: 0, Replicas: []client.ShardReplica{{NodeID: "n1", Leader: true}, {NodeID: "n2"}}}}}
	groups := []client.GroupStatus{{GroupID: 0, State: "follower", LeaderID: "n1"}}
	st := []client.NodeStatusResult{
		{NodeID: "n1", Addr: "a:1", Status: &client.NodeStatus{NodeID: "n1", Epoch: 12, Groups: groups}},
		{NodeID: "n2", Addr: "a:2", Status: &client.NodeStatus{NodeID: "n2", Epoch: 6, Groups: groups}},
	}
	res := buildStatus(view, st, 1)
	want := "the cluster view (epoch 6) is behind: n1 reports epoch 12; the health and leaders below are from the older view"
	if res.Healthy || len(res.Problems) != 1 || res.Problems[0] != want {
		t.Fatalf("healthy %v, problems %q, want %q", res.Healthy, res.Problems, want)
	}
	st[1].Status.Epoch = 6
	view.Epoch = 12
	if res := buildStatus(view, st, 1); !res.Healthy {
		t.Fatalf("a view newer than a report is current: %q", res.Problems)
	}
}
