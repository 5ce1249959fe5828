package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestViewBehindThePollsIsNotConnected: the topology watch's node keeps
// sending an old view (epoch 7) while the other nodes' status answers say
// the cluster is at epoch 9. Seen on 3 serve --fsync processes: n2's disk
// filled, it could not apply new views but kept repeating its last one on
// the console's watch, and the console showed n2 leading 320 shards,
// "connected", while n1 and n3 led them (the `status` command said epoch
// 20, the header epoch 18). A newer epoch for a moment is normal (the
// poll can beat the watch); past viewBehindAfter the header says "view
// behind" and the status line why, once; the newer view ends it.
func TestViewBehindThePollsIsNotConnected(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	at := t0
	poll := func(id string, epoch uint64) {
		send(m, common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id, Epoch: epoch}})
	}
	round := func(newer uint64) {
		at = at.Add(2 * time.Second)
		poll("n1", newer)
		poll("n2", 7)
		poll("n3", newer)
	}
	round(7)
	round(9) // the poll beat the watch: not yet behind
	if m.ConnState() != StateConnected {
		t.Fatalf("a poll one round ahead of the watch: state %q", m.ConnState())
	}
	round(9)
	round(9)
	round(9)
	if m.ConnState() != StateBehind {
		t.Fatalf("polls at epoch 9 for 6 s while the view is at 7: state %q, want %q", m.ConnState(), StateBehind)
	}
	if h := ansi.Strip(m.View()); !strings.Contains(strings.Split(h, "\n")[0], "view behind") || strings.Contains(strings.Split(h, "\n")[0], "connected") {
		t.Errorf("header: %q", strings.Split(h, "\n")[0])
	}
	warned := 0
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "the cluster view shown (epoch 7) is behind: n1 reports epoch 9") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("the warning logged %d times, want once: %v", warned, m.Messages())
	}
	// The watch delivers the newer view: connected again, said once.
	moved, ev := uitest.MoveGroup(uitest.View(8, 3, 1024, 16), 16, 1, "n1")
	send(m, common.TopologyMsg{At: at, View: moved, Event: ev})
	round(9)
	round(9)
	if m.ConnState() != StateConnected {
		t.Errorf("the view at epoch 9 shown: state %q", m.ConnState())
	}
	if !strings.Contains(m.StatusMessage(), "cluster view current again (epoch 9)") {
		t.Errorf("status line once the view caught up: %q", m.StatusMessage())
	}
}
