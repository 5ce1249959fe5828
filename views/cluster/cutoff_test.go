package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A node cut off from its peers (a network partition) but reachable from
// the console: the view counts it dead while it answers every status poll
// in milliseconds. Found in tmux (an embedded cluster, n3's replication
// links cut): the row read "dead ... yes 5.7ms" and nothing said why. Now,
// once it has answered for cutOffAfter while counted dead, a line under
// the nodes table says so; not before (a node just restarted answers
// before its peers count it alive), not for a node that does not answer,
// and not once the view counts it alive again.
func TestNodeAnsweringWhileCountedDeadIsCalledCutOff(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 40)
	m.Update(common.TickMsg{At: t0})
	v := uitest.View(12, 3, 64, 4)
	v.Nodes[2].Role = "dead"
	m.Update(common.TopologyMsg{At: t0, View: v})
	poll := func(at time.Time, err error) {
		for _, id := range []string{"n1", "n2", "n3"} {
			msg := common.NodeStatusMsg{At: at, NodeID: id, RTT: 3 * time.Millisecond, Status: statusOf(id, 64, 4, 5)}
			if id == "n3" && err != nil {
				msg.Status, msg.Err = nil, err
			}
			m.Update(msg)
		}
		m.Update(common.TickMsg{At: at})
	}
	const line = "n3 answers the console but its peers count it dead"
	poll(t0, nil)
	poll(t0.Add(2*time.Second), nil)
	if v := m.View(); strings.Contains(v, line) {
		t.Fatalf("called cut off after 2 s (a restarted node answers that long before it is alive again):\n%s", v)
	}
	poll(t0.Add(4*time.Second), nil)
	poll(t0.Add(6*time.Second), nil)
	out := m.View()
	if !strings.Contains(out, line+" (seen for 6s): cut off from them?") {
		t.Fatalf("a node answering for 6 s while counted dead is not said to be cut off:\n%s", out)
	}
	for _, sz := range append([][2]int{{40, 12}, {60, 24}}, uitest.Sizes...) {
		m.SetSize(sz[0], sz[1])
		got := m.View()
		if strings.Count(got, "\n") >= sz[1] || sz[0] >= MinWidth && sz[1] >= MinHeight && !strings.Contains(got, "n3") {
			t.Errorf("%dx%d: %d lines:\n%s", sz[0], sz[1], strings.Count(got, "\n")+1, got)
		}
	}
	m.SetSize(120, 40)

	// It stops answering: a dead node, nothing more to say.
	poll(t0.Add(8*time.Second), errors.New("deadline exceeded"))
	if v := m.View(); strings.Contains(v, "cut off") {
		t.Fatalf("a node that does not answer is called cut off:\n%s", v)
	}
	// It answers again, and the view counts it alive: no line.
	poll(t0.Add(10*time.Second), nil)
	alive := uitest.View(13, 3, 64, 4)
	m.Update(common.TopologyMsg{At: t0.Add(11 * time.Second), View: alive})
	poll(t0.Add(20*time.Second), nil)
	if v := m.View(); strings.Contains(v, "cut off") {
		t.Fatalf("a node alive again is called cut off:\n%s", v)
	}
}
