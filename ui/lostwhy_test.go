package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestLostClusterSaysWhy: found in tmux with the cluster started again on
// other ports under the console: the status line said "no node of the
// cluster answers: showing the last view known; waiting for the cluster"
// for as long as it ran, the same as for a cluster restarting. When every
// node's status poll fails the same way it now says how (connection
// refused: nothing listens there, and what to do if the cluster moved),
// once; a node answering again ends it as before.
func TestLostClusterSaysWhy(t *testing.T) {
	m := newRoot(t, 200, 40)
	m.connState = StateConnected
	at := t0
	refused := errors.New(`norikv: connection to 127.0.0.1:7001 failed: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:7001: connect: connection refused"`)
	round := func() {
		at = at.Add(2 * time.Second)
		for _, id := range []string{"n1", "n2", "n3"} {
			send(m, common.NodeStatusMsg{At: at, NodeID: id, Err: refused})
		}
	}
	round()
	round()
	const want = "no node of the cluster answers: showing the last view known; waiting for the cluster (every node: " +
		"connection refused: nothing listens at its address; the cluster is down or restarting, or moved to other addresses: " +
		"then restart the console with their --nodes)"
	if m.ConnState() != StateReconnecting || m.StatusMessage() != want {
		t.Fatalf("every poll refused: state %q, status line %q; want %q", m.ConnState(), m.StatusMessage(), want)
	}
	said := 0
	for _, e := range m.Messages() {
		if strings.HasPrefix(e.Text, "no node of the cluster answers") {
			said++
		}
	}
	if said != 1 {
		t.Errorf("the lost note logged %d times, want once: %v", said, m.Messages())
	}
	// The cluster answers again: the note goes.
	at = at.Add(2 * time.Second)
	for _, id := range []string{"n1", "n2", "n3"} {
		send(m, common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id, Epoch: 8}})
	}
	moved, ev := uitest.MoveGroup(uitest.View(8, 3, 1024, 16), 16, 1, "n1")
	send(m, common.TopologyMsg{At: at, View: moved, Event: ev})
	if m.ConnState() != StateConnected || strings.HasPrefix(m.StatusMessage(), "no node of the cluster answers") {
		t.Errorf("the nodes answer again: state %q, status line %q", m.ConnState(), m.StatusMessage())
	}
}
