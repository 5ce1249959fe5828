package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// pollingRoot is newRoot (3 nodes) with a client, so its ticks send status
// polls (the commands are not run: the test gives the answers), connected.
func pollingRoot(t *testing.T) *Model {
	t.Helper()
	c, err := client.New(client.Config{Nodes: []string{"127.0.0.1:1"}, TotalShards: 1024})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	com := uitest.Common()
	com.Client = c
	m, err := New(Options{Common: com})
	if err != nil {
		t.Fatal(err)
	}
	// As newRoot, without running the commands: the panes' calls would go
	// to the client, which reaches nothing.
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	m.Update(common.TickMsg{At: t0})
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	m.connState = StateConnected
	return m
}

// answerPoll gives node id's answer to a poll sent at sent, rtt later (the
// commands it makes are not run: they are the panes' timers).
func answerPoll(m *Model, id string, sent time.Time, rtt time.Duration) {
	m.Update(common.NodeStatusMsg{At: sent.Add(rtt), NodeID: id, RTT: rtt, Status: &client.NodeStatus{NodeID: id}})
}

// TestHungNodesLeaveTheAliveCountBeforeTheirPollsFail: found in tmux with
// three serve processes, two of them SIGSTOPped: the header said
// "connected, 3/3 alive" until their status polls failed (up to 2 s to the
// next poll, 1.5 s more to its timeout). A poll out for unansweredAfter now
// takes the node out of the alive count (not "unreachable": it may be
// slow), the Cluster pane shows it "no answer", and its poll failing makes
// it unreachable. The ticks come every second, as at the default refresh.
func TestHungNodesLeaveTheAliveCountBeforeTheirPollsFail(t *testing.T) {
	m := pollingRoot(t)
	at := t0.Add(time.Second)
	m.Update(common.TickMsg{At: at})
	for _, id := range []string{"n1", "n2", "n3"} {
		answerPoll(m, id, at, 2*time.Millisecond)
	}
	at = at.Add(time.Second)
	m.Update(common.TickMsg{At: at})
	for _, id := range []string{"n1", "n2", "n3"} {
		answerPoll(m, id, at, 2*time.Millisecond)
	}
	if v := m.View(); !strings.Contains(v, "nodes 3/3 alive") || m.ConnState() != StateConnected {
		t.Fatalf("every node answered: state %s\n%s", m.ConnState(), v)
	}
	// n2 and n3 are stopped: the next poll answers for n1 only.
	polled := at.Add(time.Second)
	m.Update(common.TickMsg{At: polled})
	answerPoll(m, "n1", polled, 2*time.Millisecond)
	// The next tick, a second later: the header says so, their polls not
	// failed yet.
	m.Update(common.TickMsg{At: polled.Add(time.Second)})
	answerPoll(m, "n1", polled.Add(time.Second), 2*time.Millisecond) // n1 is asked again: n2 and n3 do not hold it back
	v := m.View()
	if strings.Contains(v, "3/3 alive") || !strings.Contains(v, "nodes 1/3 alive, 2 not answering for 1.0s") || m.ConnState() != StateDegraded {
		t.Fatalf("n2 and n3 have not answered for a second: state %s, want the header to say so, degraded\n%s", m.ConnState(), v)
	}
	if got := m.Unreachable(); len(got) != 0 {
		t.Errorf("not answering yet is not unreachable: %v", got)
	}
	if strings.Count(v, RoleNotAnswering) != 2 || strings.Contains(m.StatusMessage(), "cannot reach") {
		t.Errorf("the nodes table must show n2 and n3 %q, with no note (%q):\n%s", RoleNotAnswering, m.StatusMessage(), v)
	}
	// Their polls fail: unreachable, and noted.
	for _, id := range []string{"n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: polled.Add(1500 * time.Millisecond), NodeID: id, RTT: 1500 * time.Millisecond,
			Err: fmt.Errorf("node status %s: %w", id, context.DeadlineExceeded)})
	}
	v = m.View()
	if got := strings.Join(m.Unreachable(), " "); got != "n2 n3" || !strings.Contains(v, "nodes 1/3 alive, 2 unreachable") || strings.Contains(v, "not answering") {
		t.Fatalf("polls failed: unreachable %q\n%s", got, v)
	}
	var noted []string
	for _, e := range m.Messages() {
		if strings.HasPrefix(e.Text, "cannot reach") {
			noted = append(noted, e.Text)
		}
	}
	if strings.Join(noted, "; ") != "cannot reach n2; shown as unreachable; cannot reach n3; shown as unreachable" {
		t.Errorf("noted %q, want n2 and n3 noted unreachable once each", noted)
	}
}

// TestSlowAnswersAreNotALoss: on a saturated machine the nodes answer, but
// late. A node whose answer takes 1.2 s is "not answering" while it is
// awaited (which is what happened), never unreachable, nothing is noted,
// and its answer makes it alive again at once.
func TestSlowAnswersAreNotALoss(t *testing.T) {
	m := pollingRoot(t)
	at := t0
	for round := 0; round < 4; round++ {
		at = at.Add(time.Second)
		m.Update(common.TickMsg{At: at})
		answerPoll(m, "n1", at, 3*time.Millisecond)
		answerPoll(m, "n3", at, 300*time.Millisecond) // slow, within unansweredAfter
		m.Update(pollDueMsg{At: at.Add(unansweredAfter)})
		if v := m.View(); !strings.Contains(v, "nodes 2/3 alive, 1 not answering for 0.5s") || m.ConnState() != StateDegraded {
			t.Fatalf("round %d: n2's answer is out for 0.5 s: state %s\n%s", round, m.ConnState(), v)
		}
		answerPoll(m, "n2", at, 1200*time.Millisecond)
		if v := m.View(); !strings.Contains(v, "nodes 3/3 alive") || m.ConnState() != StateConnected || len(m.Unreachable()) != 0 {
			t.Fatalf("round %d: n2 answered: state %s, unreachable %v\n%s", round, m.ConnState(), m.Unreachable(), v)
		}
		at = at.Add(1200 * time.Millisecond) // the next tick waits for the console, which is slow too
	}
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "cannot reach") || strings.Contains(e.Text, "reachable again") {
			t.Errorf("said %q of a node that answered every poll", e.Text)
		}
	}
}

// TestNotAnsweringWaitsForThePollAfterASuspension: a console that did not
// run (suspended) finds its polls long out; they say nothing of the nodes
// until the tick that asks them again.
func TestNotAnsweringWaitsForThePollAfterASuspension(t *testing.T) {
	m := pollingRoot(t)
	at := t0.Add(time.Second)
	m.Update(common.TickMsg{At: at})
	// Stopped right after polling; the poll timer fires on SIGCONT,
	// before the tick that says the console did not run.
	resumed := at.Add(time.Minute)
	m.Update(pollDueMsg{At: resumed})
	if v := m.View(); strings.Contains(v, "not answering") || m.ConnState() != StateConnected {
		t.Fatalf("polls out while the console did not run count against the nodes: state %s\n%s", m.ConnState(), v)
	}
	m.Update(common.TickMsg{At: resumed.Add(10 * time.Millisecond)})
	for _, id := range []string{"n1", "n2", "n3"} {
		answerPoll(m, id, resumed.Add(10*time.Millisecond), 2*time.Millisecond)
	}
	if v := m.View(); !strings.Contains(v, "nodes 3/3 alive") || m.ConnState() != StateConnected {
		t.Fatalf("after the polls on resume: state %s\n%s", m.ConnState(), v)
	}
}
