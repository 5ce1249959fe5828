package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// statusOf is node id's report on a 3-node cluster of groups groups over
// shards shards laid out like uitest.View (every node replicates every
// group; group g is led by node g mod 3).
func statusOf(id string, shards, groups int, term uint64) *client.NodeStatus {
	st := &client.NodeStatus{NodeID: id, TotalShards: shards, TotalGroups: groups}
	peers := []string{"n1", "n2", "n3"}
	for g := 0; g < groups; g++ {
		state := "follower"
		if peers[g%3] == id {
			state = "leader"
		}
		st.Groups = append(st.Groups, client.GroupStatus{GroupID: g, State: state, Term: term, CommitIndex: 10, AppliedIndex: 10,
			Peers: peers, Shards: seq(g*shards/groups, (g+1)*shards/groups)})
	}
	return st
}

func groupRows(view string) []string {
	var rows []string
	for _, l := range strings.Split(view, "\n") {
		if f := strings.Fields(l); len(f) > 0 && len(f[0]) > 1 && f[0][0] == 'g' && f[0][1] >= '0' && f[0][1] <= '9' {
			rows = append(rows, f[0])
		}
	}
	return rows
}

// TestReplacedClusterDropsTheOldGroups: the cluster behind the console's
// addresses is replaced by one with fewer groups; the groups table lists
// the new cluster's groups only (it kept empty "election in progress" rows
// for the old cluster's groups 2 and 3).
func TestReplacedClusterDropsTheOldGroups(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)})
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond, Status: statusOf(id, 64, 4, 5)})
	}
	if got := groupRows(m.View()); fmt.Sprint(got) != "[g0 g1 g2 g3]" {
		t.Fatalf("the old cluster's groups: %v\n%s", got, m.View())
	}
	// The outage: no node answers.
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: id, Err: fmt.Errorf("connection refused")})
	}
	if got := groupRows(m.View()); len(got) != 0 || !strings.Contains(m.View(), "GROUPS  no node answers its status poll") {
		t.Errorf("no node reports any group, yet rows %v are shown (or the table's absence is not explained):\n%s", got, m.View())
	}
	// A new cluster with 2 groups on the same addresses.
	at := t0.Add(10 * time.Second)
	m.Update(common.TopologyMsg{At: at, View: uitest.View(2, 3, 64, 2),
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "fresh", LeaderChanges: map[uint32]string{}}})
	m.Update(common.NodeStatusMsg{At: at, NodeID: "n1", RTT: time.Millisecond, Status: statusOf("n1", 64, 2, 1)})
	if got := groupRows(m.View()); fmt.Sprint(got) != "[g0 g1]" {
		t.Errorf("the new cluster has groups g0 and g1, the pane shows %v:\n%s", got, m.View())
	}
}

// TestReplacedClusterForgetsTheOldReports: reports the old cluster's nodes
// gave before it was replaced (without an outage seen in between) are not
// shown as the new cluster's: groups, round trips and leaders come from the
// new cluster's answers only.
func TestReplacedClusterForgetsTheOldReports(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)})
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: 777 * time.Millisecond, Status: statusOf(id, 64, 4, 5)})
	}
	at := t0.Add(10 * time.Second)
	m.Update(common.TopologyMsg{At: at, View: uitest.View(2, 3, 64, 2),
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "fresh", LeaderChanges: map[uint32]string{}}})
	v := m.View()
	if got := groupRows(v); len(got) != 0 {
		t.Errorf("before any node of the new cluster reported, the pane shows groups %v:\n%s", got, v)
	}
	if strings.Contains(v, "777") {
		t.Errorf("the old cluster's round trips shown for the new one:\n%s", v)
	}
}

// TestNodeLeavingTheViewDropsItsReports: a node the current view no longer
// has stops counting in the groups table.
func TestNodeLeavingTheViewDropsItsReports(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(3, 4, 64, 4)})
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n4", RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: "n4",
		Groups: []client.GroupStatus{{GroupID: 7, State: "leader", Term: 2, Peers: []string{"n4"}, Shards: seq(0, 8)}}}})
	if got := groupRows(m.View()); fmt.Sprint(got) != "[g7]" {
		t.Fatalf("n4's group: %v\n%s", got, m.View())
	}
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: uitest.View(4, 3, 64, 4)})
	if got := groupRows(m.View()); len(got) != 0 {
		t.Errorf("n4 left the cluster, its group is still shown: %v\n%s", got, m.View())
	}
}
