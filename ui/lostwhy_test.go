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

// TestALiveViewAfterAnOutageDoesNotFlap: every node lost (their polls
// refused), then the cluster's first view arrives before the nodes' next
// polls. The console said "the cluster answers again" and at once "no node
// of the cluster answers" (the polls from the outage still counted), and
// "answers again" once more when they answered. Now the live view ends the
// outage once: the polls after it decide which nodes answer, and a poll
// failing after it still makes the cluster lost.
func TestALiveViewAfterAnOutageDoesNotFlap(t *testing.T) {
	m := newRoot(t, 200, 40)
	m.connState = StateConnected
	at := t0
	refused := errors.New(`connect: connection refused`)
	poll := func(err error, ids ...string) {
		for _, id := range ids {
			if err != nil {
				send(m, common.NodeStatusMsg{At: at, NodeID: id, Err: err})
			} else {
				send(m, common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id, Epoch: 8}})
			}
		}
	}
	for range 2 {
		at = at.Add(2 * time.Second)
		poll(refused, "n1", "n2", "n3")
	}
	at = at.Add(time.Second)
	moved, ev := uitest.MoveGroup(uitest.View(8, 3, 1024, 16), 16, 1, "n1")
	send(m, common.TopologyMsg{At: at, View: moved, Event: ev})
	at = at.Add(time.Second)
	poll(nil, "n1", "n2")
	poll(refused, "n3")
	count := func(prefix string) int {
		n := 0
		for _, e := range m.Messages() {
			if strings.HasPrefix(e.Text, prefix) {
				n++
			}
		}
		return n
	}
	if lost, back := count("no node of the cluster answers"), count("the cluster answers again"); lost != 1 || back != 1 {
		t.Errorf("the outage said %d times and its end %d times, want once each: %v", lost, back, m.Messages())
	}
	if m.ConnState() != StateDegraded || strings.Join(m.Unreachable(), " ") != "n3" {
		t.Errorf("n1 and n2 answer, n3 refused: state %q, unreachable %v", m.ConnState(), m.Unreachable())
	}
	// The cluster goes away again: its polls fail, and that is said.
	at = at.Add(2 * time.Second)
	poll(refused, "n1", "n2", "n3")
	if m.ConnState() != StateReconnecting || count("no node of the cluster answers") != 2 {
		t.Errorf("every poll refused again: state %q, messages %v", m.ConnState(), m.Messages())
	}
}
