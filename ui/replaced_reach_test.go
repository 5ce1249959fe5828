package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestWipedClusterIsNotReportedReachableAgain: every node of the cluster
// stops, and a new cluster (its data wiped) starts behind the same
// addresses. Its nodes answer the status polls before its view reaches the
// console: the old code then logged "reachable again: n1" and the Events
// pane "n1 unreachable -> alive" for the old cluster, just before "cluster
// replaced" (seen on 3 serve processes in tmux), and after the replacement
// the new cluster's nodes showed unreachable from the old cluster's flags
// and came "back" one by one. The console must say only what holds: the
// cluster lost, then replaced, with no reachability news in between or for
// the new cluster's nodes.
func TestWipedClusterIsNotReportedReachableAgain(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	old := m.ClusterView()
	st := loseEveryNode(m, t0.Add(time.Second))
	if m.ConnState() != StateReconnecting {
		t.Fatalf("every node lost: state %s", m.ConnState())
	}
	// The new cluster's n1 answers a poll; the client still flags n2, n3.
	st.Topology.UnreachableNodes = []string{"n2", "n3"}
	send(m, common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: "n1", RTT: time.Millisecond, Status: &client.NodeStatus{}})
	send(m, common.StatsMsg{At: t0.Add(2 * time.Second), Stats: st})
	if m.ConnState() != StateReconnecting || len(m.Unreachable()) != 3 {
		t.Fatalf("before any view: state %s, unreachable %v (n1 may be another cluster's)", m.ConnState(), m.Unreachable())
	}
	// The client received the new cluster's view; the feed's event follows.
	st.Topology.ViewsReceived = 11
	send(m, common.StatsMsg{At: t0.Add(3 * time.Second), Stats: st})
	fresh := uitest.View(2, 3, 1024, 16)
	fresh.ClusterID = "new-cluster"
	// The view the root asks for arrives before the feed's event: not old.
	send(m, common.TopologyMsg{At: t0.Add(3 * time.Second), View: fresh})
	if m.ConnState() == StateConnected || m.ClusterView() != old {
		t.Fatalf("the new cluster's view taken as the old one back: state %s", m.ConnState())
	}
	send(m, common.TopologyMsg{At: t0.Add(3 * time.Second), View: fresh,
		Event: &client.TopologyEvent{PreviousEpoch: old.Epoch, CurrentEpoch: fresh.Epoch, Replaced: true, ClusterID: "new-cluster", LeaderChanges: map[uint32]string{}}})
	if m.ClusterView() != fresh {
		t.Fatal("the replacement was not shown")
	}
	if u := m.Unreachable(); len(u) != 0 {
		t.Fatalf("the new cluster's nodes shown unreachable from the old cluster's flags: %v", u)
	}
	// Its nodes answer their first polls; the client clears its flags.
	for _, id := range []string{"n2", "n3"} {
		send(m, common.NodeStatusMsg{At: t0.Add(4 * time.Second), NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{}})
	}
	st.Topology.UnreachableNodes = nil
	send(m, common.StatsMsg{At: t0.Add(4 * time.Second), Stats: st})
	if m.ConnState() != StateConnected {
		t.Fatalf("new cluster: state %s", m.ConnState())
	}
	var log []string
	for _, e := range m.Messages() {
		log = append(log, e.Text)
	}
	if all := strings.Join(log, "\n"); strings.Contains(all, "reachable again") || strings.Contains(all, "the cluster answers again") || !strings.Contains(all, "the cluster was replaced") {
		t.Fatalf("message log:\n%s", all)
	}
	send(m, press("2"))
	ev := m.View()
	if strings.Contains(ev, "reachable again") || strings.Contains(ev, "unreachable -> alive") {
		t.Fatalf("the Events pane reports the old cluster's nodes back:\n%s", ev)
	}
	if !strings.Contains(ev, "cluster replaced (id new-cluster)") {
		t.Fatalf("no replacement in the Events pane:\n%s", ev)
	}
	// A real loss in the new cluster is still reported (a flag raised anew).
	st.Topology.UnreachableNodes = []string{"n3"}
	send(m, common.StatsMsg{At: t0.Add(5 * time.Second), Stats: st})
	send(m, common.StatsMsg{At: t0.Add(5*time.Second + flagConfirm), Stats: st}) // no poll answered meanwhile
	if u := m.Unreachable(); len(u) != 1 || u[0] != "n3" {
		t.Fatalf("a node lost in the new cluster: unreachable %v", u)
	}
}

// TestFlagsFromBeforeTheFirstConnection: a console started while its
// cluster was starting had the client flag nodes unreachable during the
// failed attempts; once connected it logged "cannot reach n1, n2" and then
// "reachable again" a poll later, for nodes that never were lost while it
// was connected. Flags present at the connection are left to the polls.
func TestFlagsFromBeforeTheFirstConnection(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.Update(common.ConnectedMsg{}) // its commands ask the (absent) client for its view
	st := client.Stats{}
	st.Topology.UnreachableNodes = []string{"n1", "n2"}
	st.Topology.ViewsReceived = 1
	send(m, common.StatsMsg{At: t0.Add(time.Second), Stats: st})
	if u := m.Unreachable(); len(u) != 0 || m.ConnState() != StateConnected {
		t.Fatalf("flags from the attempts before the connection: unreachable %v, state %s", u, m.ConnState())
	}
	// n2 really is down: its poll says so.
	send(m, common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: "n1", RTT: time.Millisecond, Status: &client.NodeStatus{}})
	send(m, common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: "n2", Err: errTest("node status n2: connection refused")})
	if u := m.Unreachable(); len(u) != 1 || u[0] != "n2" {
		t.Fatalf("after the polls: unreachable %v", u)
	}
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "reachable again") || strings.Contains(e.Text, "cannot reach n1") {
			t.Fatalf("message log has %q", e.Text)
		}
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// TestBackWithANewerViewIsNotAFirstView: every node was lost, and the same
// cluster came back having moved leaders meanwhile. The client's view (the
// root asks for it; no event) was shown as "epoch 9  first view: 3 nodes"
// in the Events pane, and the feed's events for the epochs between were
// dropped as already shown: the moves were never reported. It is the
// change from the view shown: the epochs and the moved shards.
func TestBackWithANewerViewIsNotAFirstView(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	old := m.ClusterView()
	st := loseEveryNode(m, t0.Add(time.Second))
	st.Topology.UnreachableNodes, st.Topology.ViewsReceived = nil, 11
	send(m, common.StatsMsg{At: t0.Add(2 * time.Second), Stats: st})
	moved, _ := uitest.MoveGroup(old, 16, 2, "n1")
	moved.Epoch = old.Epoch + 2
	send(m, common.TopologyMsg{At: t0.Add(2 * time.Second), View: moved})
	if m.ConnState() != StateConnected || m.ClusterView() != moved {
		t.Fatalf("the same cluster back with epoch %d: state %s, epoch shown %d", moved.Epoch, m.ConnState(), m.ClusterView().Epoch)
	}
	send(m, press("2"))
	v := m.View()
	if strings.Contains(v, fmt.Sprintf("epoch %d  first view", moved.Epoch)) {
		t.Fatalf("a view after an outage shown as the first one:\n%s", v)
	}
	if !strings.Contains(v, fmt.Sprintf("epoch %d -> %d  n1 unreachable -> alive", old.Epoch, moved.Epoch)) || !strings.Contains(v, "64 shards n3 -> n1 (128-191)") {
		t.Fatalf("the moves made during the outage are not reported:\n%s", v)
	}
}
