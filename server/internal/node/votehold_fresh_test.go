package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// A new cluster of five whose members start one after another: n1..n3
// form the metadata group and name the cluster before n4 and n5 start.
// Those two then hear a cluster id from their peers and hold their votes,
// and group 3 (replicas n4, n5, n1) had one voter that votes and stayed
// without a leader for good, although no replica of it had ever written
// anything. TestProposeReadAndRedirects (four nodes) flaked on the same
// when n3 and n4 asked after n1 and n2 had named the cluster. A held group
// whose other voters hold nothing past the bootstrap configuration is new,
// and votes.
func TestLateMembersOfANewClusterVoteInGroupsNobodyWrote(t *testing.T) {
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, 5)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	nodes := map[string]*node.Node{}
	start := func(i int) {
		nd := l.Nodes[i]
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i]})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
	start(0)
	start(1)
	start(2)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := nodes["n1"].WaitClusterID(ctx); err != nil {
		t.Fatalf("n1..n3 never named the cluster: %v", err)
	}
	start(3)
	start(4)
	deadline := time.Now().Add(15 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for leaderOf(nodes, g) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("group %d (replicas %v) has no leader: the late members hold their votes", g, l.Replicas(g))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
