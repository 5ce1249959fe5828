package cluster_test

import (
	"slices"
	"testing"

	"github.com/norikv/norikv-console/server/cluster"
)

// TestDefaultGroupsOnePerNode: a cluster started without a group count
// gets one group per node, and once started every node leads exactly one
// (its preferred group). Before 2026-12-03 the default was 6 whatever the
// node count: on 3 nodes two groups a node, on 5 nodes one node led two
// and the others one.
func TestDefaultGroupsOnePerNode(t *testing.T) {
	for _, nodes := range []int{3, 5} {
		c := start(t, cluster.Options{Nodes: nodes, TotalShards: 64})
		l := c.Layout()
		if l.Groups != nodes {
			t.Fatalf("%d nodes without a group count: %d groups, want %d", nodes, l.Groups, nodes)
		}
		var leaders []string
		for g := range l.Groups {
			first, _ := l.ShardsOfGroup(g)
			leaders = append(leaders, c.LeaderOf(first))
		}
		slices.Sort(leaders)
		want := c.NodeIDs()
		slices.Sort(want)
		if !slices.Equal(leaders, want) {
			t.Errorf("%d nodes: group leaders %v, want each of %v once", nodes, leaders, want)
		}
	}
}
