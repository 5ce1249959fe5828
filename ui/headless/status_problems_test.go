package headless

import (
	"errors"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/client"
)

// A node whose disk is full, or one restarted without its data and still
// catching up, answers and is "alive" in the view, but the cluster is one
// failure from losing a majority: `status` said "healthy" and exited 0.
func TestStatusNamesFullDisksAndHeldVotes(t *testing.T) {
	view := &client.ClusterView{Epoch: 9, Nodes: []client.ClusterNode{
		{ID: "n1", Addr: "a:1", Role: "alive"}, {ID: "n2", Addr: "a:2", Role: "alive"}, {ID: "n3", Addr: "a:3", Role: "alive"},
	}, Shards: []client.ShardInfo{
		{ID: 0, Replicas: []client.ShardReplica{{NodeID: "n1", Leader: true}, {NodeID: "n2"}, {NodeID: "n3"}}},
		{ID: 1, Replicas: []client.ShardReplica{{NodeID: "n3", Leader: true}, {NodeID: "n1"}, {NodeID: "n2"}}},
	}}
	groups := func(held bool) []client.GroupStatus {
		return []client.GroupStatus{{GroupID: 0, State: "follower", LeaderID: "n1", VoteHeld: held}, {GroupID: 1, State: "follower", LeaderID: "n3", VoteHeld: held}}
	}
	healthy := []client.NodeStatusResult{
		{NodeID: "n1", Addr: "a:1", Status: &client.NodeStatus{NodeID: "n1", Groups: groups(false)}},
		{NodeID: "n2", Addr: "a:2", Status: &client.NodeStatus{NodeID: "n2", Groups: groups(false)}},
		{NodeID: "n3", Addr: "a:3", Status: &client.NodeStatus{NodeID: "n3", Groups: groups(false)}},
	}
	if res := buildStatus(view, healthy, 2); !res.Healthy || len(res.Problems) != 0 {
		t.Fatalf("healthy cluster: %+v", res)
	}

	troubled := append([]client.NodeStatusResult(nil), healthy...)
	troubled[1] = client.NodeStatusResult{NodeID: "n2", Addr: "a:2", Status: &client.NodeStatus{NodeID: "n2", Groups: groups(false),
		StorageError: "no space left on device: /d/n2/raftlog has 30.0 MiB free"}}
	troubled[2] = client.NodeStatusResult{NodeID: "n3", Addr: "a:3", Status: &client.NodeStatus{NodeID: "n3", Groups: groups(true), MetaVoteHeld: true}}
	res := buildStatus(view, troubled, 2)
	if res.Healthy {
		t.Fatalf("a full disk and a held vote read healthy: %+v", res)
	}
	want := []string{
		"n2 (a:2) cannot write its Raft log (no space left on device: /d/n2/raftlog has 30.0 MiB free): it leads no group and does not vote; free space on its disk",
		"n3 (a:3) restarted without its data: not voting in 3 groups until it has caught up",
	}
	if strings.Join(res.Problems, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(res.Problems, "\n"), strings.Join(want, "\n"))
	}
	var table strings.Builder
	if err := res.table(&table); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"cluster DEGRADED", "alive, disk full", "alive, catching up", "problem: n2 (a:2) cannot write"} {
		if !strings.Contains(table.String(), w) {
			t.Errorf("status table lacks %q:\n%s", w, table.String())
		}
	}
	if res.Nodes[1].StorageError == "" || res.Nodes[2].VoteHeldGroups != 3 {
		t.Errorf("JSON fields: n2 storage_error %q, n3 vote_held_groups %d", res.Nodes[1].StorageError, res.Nodes[2].VoteHeldGroups)
	}
}

// Two of three nodes down: the one left keeps its last view, which still
// names leaders for every group, and status counted every shard led. The
// groups no answering node leads or knows a leader of are problems.
func TestStatusNamesGroupsWithoutALeader(t *testing.T) {
	view := &client.ClusterView{Epoch: 6, Nodes: []client.ClusterNode{
		{ID: "n1", Addr: "a:1", Role: "alive"}, {ID: "n2", Addr: "a:2", Role: "alive"},
	}, Shards: []client.ShardInfo{
		{ID: 0, Replicas: []client.ShardReplica{{NodeID: "n1", Leader: true}, {NodeID: "n2"}}},
		{ID: 1, Replicas: []client.ShardReplica{{NodeID: "n2", Leader: true}, {NodeID: "n1"}}},
	}}
	statuses := []client.NodeStatusResult{
		{NodeID: "n1", Addr: "a:1", Status: &client.NodeStatus{NodeID: "n1", Groups: []client.GroupStatus{
			{GroupID: 0, State: "candidate", Shards: []int{0}}, {GroupID: 1, State: "follower", LeaderID: "n2", Shards: []int{1}},
		}}},
		{NodeID: "n2", Addr: "a:2", Err: errors.New("connection refused")},
	}
	res := buildStatus(view, statuses, 2)
	got := strings.Join(res.Problems, "\n")
	want := "group 0 (shards 0-0) has no leader: n1 knows none; writes to its shards fail until most of its replicas are up and elect one"
	if res.Healthy || !strings.Contains(got, want) || strings.Contains(got, "group 1 ") {
		t.Fatalf("problems:\n%s\nwant group 0 named (and not group 1, whose leader n1 knows):\n%s", got, want)
	}
}
