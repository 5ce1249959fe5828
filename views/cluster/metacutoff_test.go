package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A node whose status report says it is cut off from the metadata group's
// leader (NodeStatus meta_cut_off) is called cut off at once, with its
// reason, even while the view still counts it alive; before the field the
// pane could only infer it, after the node had answered for cutOffAfter
// while counted dead. The inference stays for servers without the field
// (TestNodeAnsweringWhileCountedDeadIsCalledCutOff).
func TestNodeSayingItIsCutOffIsCalledCutOff(t *testing.T) {
	const why = "it has not heard from the metadata group's leader for 2.1 s"
	m := New(uitest.Common())
	m.SetSize(160, 40)
	m.Update(common.TickMsg{At: t0})
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(12, 3, 64, 4)})
	poll := func(at time.Time, cutOff string) {
		for _, id := range []string{"n1", "n2", "n3"} {
			st := statusOf(id, 64, 4, 5)
			if id == "n3" {
				st.MetaCutOff = cutOff
			}
			m.Update(common.NodeStatusMsg{At: at, NodeID: id, RTT: 3 * time.Millisecond, Status: st})
		}
		m.Update(common.TickMsg{At: at})
	}
	poll(t0, why)
	if v := m.View(); !strings.Contains(v, "n3 is cut off from the cluster: "+why) {
		t.Fatalf("n3 says it is cut off; the pane does not:\n%s", v)
	}
	m.SetSize(60, 24)
	if v := m.View(); !strings.Contains(v, "n3 is cut off from the cluster") || strings.Count(v, "\n") >= 24 {
		t.Fatalf("60x24: the short line is missing or the view is too tall:\n%s", v)
	}
	m.SetSize(160, 40)
	// Two say so, the view counting both alive: said of both.
	for _, id := range []string{"n2", "n3"} {
		st := statusOf(id, 64, 4, 5)
		st.MetaCutOff = why
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: 3 * time.Millisecond, Status: st})
	}
	if v := m.View(); !strings.Contains(v, "n2, n3 are cut off from the cluster") || strings.Contains(v, "count them dead") {
		t.Fatalf("n2 and n3 say they are cut off; the pane does not say so of both:\n%s", v)
	}
	// They hear the leader again: no line.
	poll(t0.Add(time.Second), "")
	if v := m.View(); strings.Contains(v, "cut off") {
		t.Fatalf("a node that hears the leader again is called cut off:\n%s", v)
	}
}
