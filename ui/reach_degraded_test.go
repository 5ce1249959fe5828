package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
)

// After an outage, the first live view with only some nodes answering is
// "degraded", not "connected": the header said "nodes 1/3 alive, 2
// unreachable · connected" for a second when a restarted cluster came back
// one node at a time.
func TestBackFromAnOutageWithNodesStillDownIsDegraded(t *testing.T) {
	m := newRoot(t, 120, 30)
	m.connState = StateConnected
	st := loseEveryNode(m, t0)
	if m.ConnState() != StateReconnecting {
		t.Fatalf("every node lost: %s", m.ConnState())
	}
	st.Topology.UnreachableNodes = []string{"n1", "n3"}
	st.Topology.ViewsReceived = 11
	send(m, common.StatsMsg{At: t0.Add(time.Second), Stats: st})
	// The client's view, which the root asks for once it received one: the
	// same cluster (the view decides, see TestWipedClusterIsNotReportedReachableAgain).
	send(m, common.TopologyMsg{At: t0.Add(time.Second), View: m.ClusterView()})
	if m.ConnState() != StateDegraded || !strings.Contains(m.View(), "degraded") {
		t.Fatalf("one node of three back with a live view: %s\n%s", m.ConnState(), m.View())
	}
}
