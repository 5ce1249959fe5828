package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestPanesGetTheRootsReachJudgement: the client's view carries its own
// Unreachable flag, taken when the view was. A node restarted (wiped) came
// back "dead -> suspect" in a view flagged unreachable by the client, then
// answered its status poll: the log said "reachable again: n2", but the
// panes kept the view's stale flag (the Events pane read "(no visible
// change)", the RTT column "-"). Seen in tmux on 3 serve processes.
func TestPanesGetTheRootsReachJudgement(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	send(m, common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: "n2", Err: errors.New("node status n2: connection refused")})
	old := m.ClusterView()
	next := *old
	next.Epoch = old.Epoch + 1
	next.Nodes = append([]client.ClusterNode(nil), old.Nodes...)
	next.Nodes[1].Role, next.Nodes[1].Unreachable = "suspect", true // the client's flag, at the view's time
	send(m, common.TopologyMsg{At: t0.Add(2 * time.Second), View: &next,
		Event: &client.TopologyEvent{PreviousEpoch: old.Epoch, CurrentEpoch: next.Epoch, LeaderChanges: map[uint32]string{}}})
	send(m, common.NodeStatusMsg{At: t0.Add(3 * time.Second), NodeID: "n2", RTT: time.Millisecond, Status: &client.NodeStatus{}})
	if u := m.Unreachable(); len(u) != 0 {
		t.Fatalf("n2 answered its poll: unreachable %v", u)
	}
	if n, _ := m.presented(m.ClusterView()).Node("n2"); n.Unreachable {
		t.Fatal("the panes still get n2 flagged unreachable after it answered")
	}
	send(m, press("2"))
	v := m.View()
	if strings.Contains(v, "no visible change") || !strings.Contains(v, "n2 reachable again (the cluster says suspect)") {
		t.Fatalf("Events pane:\n%s", v)
	}
}
