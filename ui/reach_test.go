package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestUnreachableNodesAreShownSo: a node whose status poll fails, or that
// the client reports unreachable, is shown unreachable (header count, the
// nodes table, no pooled connection) and noted; when it answers again it
// is noted back; losing every node means reconnecting until views arrive.
func TestUnreachableNodesAreShownSo(t *testing.T) {
	m := newRoot(t, 120, 30)
	m.connState = StateConnected
	send(m, common.NodeStatusMsg{At: t0, NodeID: "n2", Err: errors.New("node status n2: connection refused")})
	v := m.View()
	if !strings.Contains(v, "nodes 2/3 alive, 1 unreachable") || !strings.Contains(v, "degraded") {
		t.Fatalf("header after n2 failed its poll:\n%s", v)
	}
	if !strings.Contains(v, "unreach") || !strings.Contains(m.StatusMessage(), "cannot reach n2") {
		t.Fatalf("nodes table or note after n2 failed (%q):\n%s", m.StatusMessage(), v)
	}
	st := client.Stats{}
	st.Pool.Addrs = []string{"127.0.0.1:7447", "127.0.0.1:7448", "127.0.0.1:7449"}
	st.Topology.UnreachableNodes = []string{"n1", "n3"}
	st.Topology.ViewsReceived = 10
	send(m, common.StatsMsg{At: t0.Add(time.Second), Stats: st})
	if m.ConnState() != StateReconnecting || len(m.Unreachable()) != 3 || strings.Contains(m.View(), " yes ") {
		t.Fatalf("every node lost: state %s, unreachable %v\n%s", m.ConnState(), m.Unreachable(), m.View())
	}
	// They answer again, but no view came yet: still reconnecting.
	st.Topology.UnreachableNodes = nil
	send(m, common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: "n2", RTT: time.Millisecond, Status: &client.NodeStatus{}})
	send(m, common.StatsMsg{At: t0.Add(2 * time.Second), Stats: st})
	if m.ConnState() != StateReconnecting {
		t.Fatalf("connected before a live view: %s", m.ConnState())
	}
	st.Topology.ViewsReceived = 11
	send(m, common.StatsMsg{At: t0.Add(3 * time.Second), Stats: st})
	if m.ConnState() != StateReconnecting {
		t.Fatalf("connected before the view received was shown: %s", m.ConnState())
	}
	// The client's view (what the root asks for once it received one): the
	// same cluster, so it is back.
	send(m, common.TopologyMsg{At: t0.Add(3 * time.Second), View: m.ClusterView()})
	if m.ConnState() != StateConnected || len(m.Unreachable()) != 0 {
		t.Fatalf("after a live view: %s %v", m.ConnState(), m.Unreachable())
	}
	if m.LastError() != nil || !strings.Contains(m.StatusMessage(), "reachable again: n1, n2, n3") {
		t.Fatalf("the outage error outlived the outage: %v / %q", m.LastError(), m.StatusMessage())
	}
	var all []string
	for _, e := range m.Messages() {
		all = append(all, e.Text)
	}
	// The nodes are back once the view says it is the same cluster (n2
	// answering before that could have been another cluster's n2), and the
	// cluster's return comes first.
	log := strings.Join(all, "\n")
	if back, again := strings.Index(log, "the cluster answers again"), strings.Index(log, "reachable again: n1, n2, n3"); back < 0 || again < back {
		t.Fatalf("no note that the cluster and its nodes are back, in that order: %+v", m.Messages())
	}
}

// TestAPollAnswerOutranksAStaleClientFlag: the client may keep calling a
// node unreachable after it came back; a status poll answered since then
// shows it reachable, and a flag raised after the last answer wins again.
func TestAPollAnswerOutranksAStaleClientFlag(t *testing.T) {
	m := newRoot(t, 120, 30)
	m.connState = StateConnected
	st := client.Stats{}
	st.Topology.UnreachableNodes = []string{"n1"}
	st.Topology.ViewsReceived = 5
	send(m, common.StatsMsg{At: t0, Stats: st})
	if got := m.Unreachable(); len(got) != 1 || got[0] != "n1" {
		t.Fatalf("flagged n1: unreachable %v", got)
	}
	send(m, common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: "n1", RTT: time.Millisecond, Status: &client.NodeStatus{}})
	send(m, common.StatsMsg{At: t0.Add(2 * time.Second), Stats: st}) // still flagged, since t0
	if got := m.Unreachable(); len(got) != 0 {
		t.Fatalf("n1 answered after the flag, still unreachable: %v", got)
	}
	st.Topology.UnreachableNodes = nil
	send(m, common.StatsMsg{At: t0.Add(3 * time.Second), Stats: st})
	st.Topology.UnreachableNodes = []string{"n1"} // a new flag, after the answer
	send(m, common.StatsMsg{At: t0.Add(4 * time.Second), Stats: st})
	// It counts once no poll answered for flagConfirm (a call that timed
	// out on a node that answers its polls proves nothing).
	send(m, common.StatsMsg{At: t0.Add(time.Second + flagConfirm + time.Millisecond), Stats: st})
	if got := m.Unreachable(); len(got) != 1 {
		t.Fatalf("a fresh flag after the last answer, no answer since: unreachable %v", got)
	}
}
