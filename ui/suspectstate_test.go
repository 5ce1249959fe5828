package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestASuspectNodeIsNotConnected: found in tmux (c34) with a serve process
// SIGSTOPped: once the cluster's view called the node suspect, and before
// the console's own poll of it failed, the header read "nodes 2/3 alive"
// beside a green "connected": a node the cluster no longer counts alive
// was neither unreachable nor "not answering" to the console, so the state
// stayed connected. A node the view does not call alive (suspect, dead)
// makes the state degraded, whatever the polls say.
func TestASuspectNodeIsNotConnected(t *testing.T) {
	m := pollingRoot(t)
	at := t0.Add(time.Second)
	m.Update(common.TickMsg{At: at})
	for _, id := range []string{"n1", "n2", "n3"} {
		answerPoll(m, id, at, 2*time.Millisecond)
	}
	if m.ConnState() != StateConnected {
		t.Fatalf("every node alive and answering: state %s, want connected", m.ConnState())
	}
	v := uitest.View(8, 3, 1024, 16)
	v.Nodes = append([]client.ClusterNode(nil), v.Nodes...)
	v.Nodes[1].Role = "suspect"
	m.Update(common.TopologyMsg{At: at.Add(100 * time.Millisecond), View: v, Event: &client.TopologyEvent{PreviousEpoch: 7, CurrentEpoch: 8}})
	at = at.Add(time.Second)
	m.Update(common.TickMsg{At: at})
	for _, id := range []string{"n1", "n2", "n3"} {
		answerPoll(m, id, at, 2*time.Millisecond)
	}
	if out := m.View(); !strings.Contains(out, "2/3 alive") || m.ConnState() != StateDegraded {
		t.Fatalf("n2 suspect in the cluster's view: state %s, want degraded beside \"2/3 alive\"\n%s", m.ConnState(), out)
	}
	v2 := uitest.View(9, 3, 1024, 16)
	m.Update(common.TopologyMsg{At: at.Add(100 * time.Millisecond), View: v2, Event: &client.TopologyEvent{PreviousEpoch: 8, CurrentEpoch: 9}})
	if m.ConnState() != StateConnected {
		t.Fatalf("n2 alive again: state %s, want connected", m.ConnState())
	}
}
