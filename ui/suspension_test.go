package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
)

// TestResumedConsoleWaitsForAPollBeforeBlaming: found in tmux with the
// console SIGSTOPped for 19 s while n3 was restarted. On SIGCONT the
// client flagged n3 (its connection had broken meanwhile; it reconnected
// within 30 ms) and the console said "cannot reach n2, n3" and at once
// "reachable again": the nodes' last answers were 19 s old, older than
// flagConfirm, because the console had not run to ask, and a poll sent
// before the stop failed on its deadline, which had passed meanwhile. Now
// the tick after the gap says the console did not run; a flag then waits
// for a poll as it does after an answer, and a poll that failed only after
// twice its timeout is no verdict. A node that fails afterwards is still
// shown unreachable.
func TestResumedConsoleWaitsForAPollBeforeBlaming(t *testing.T) {
	m := newRoot(t, 120, 30)
	m.connState = StateConnected
	st := client.Stats{}
	st.Topology.ViewsReceived = 5
	answer := func(at time.Time, id string) {
		send(m, common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id}})
	}
	for _, id := range []string{"n1", "n2", "n3"} {
		answer(t0, id)
	}
	send(m, common.StatsMsg{At: t0, Stats: st})
	m.Update(common.TickMsg{At: t0.Add(time.Second)})
	m.Update(common.TickMsg{At: t0.Add(2 * time.Second)})

	// Stopped for a minute; the tick due comes at once on SIGCONT.
	resumed := t0.Add(62 * time.Second)
	m.Update(common.TickMsg{At: resumed})
	at := resumed.Add(10 * time.Millisecond)
	st.Topology.UnreachableNodes = []string{"n3"} // its connection broke meanwhile
	send(m, common.StatsMsg{At: at, Stats: st})
	// n2's poll, sent just before the stop, failed on its deadline.
	send(m, common.NodeStatusMsg{At: at, NodeID: "n2", Err: context.DeadlineExceeded, RTT: 60 * time.Second})
	if got := m.Unreachable(); len(got) != 0 || m.ConnState() != StateConnected {
		t.Errorf("right after the console resumed: unreachable %v, state %s; want none, connected", got, m.ConnState())
	}
	for _, id := range []string{"n1", "n2", "n3"} {
		answer(at.Add(20*time.Millisecond), id) // the polls sent on resume
	}
	st.Topology.UnreachableNodes = nil
	send(m, common.StatsMsg{At: resumed.Add(time.Second), Stats: st})
	said := false
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "cannot reach") || strings.Contains(e.Text, "reachable again") {
			t.Errorf("said %q of nodes that answered when asked", e.Text)
		}
		said = said || strings.Contains(e.Text, "the console did not run for 59s, until 03:05:07 (suspended")
	}
	if !said {
		t.Errorf("the gap is not said; messages: %v", m.Messages())
	}

	// Afterwards a flag without an answer counts once the poll could have
	// failed, and a poll failing in its own time counts at once.
	st.Topology.UnreachableNodes = []string{"n3"}
	send(m, common.StatsMsg{At: resumed.Add(6 * time.Second), Stats: st})
	if got := m.Unreachable(); strings.Join(got, " ") != "n3" {
		t.Errorf("n3 flagged 6 s after it last answered: unreachable %v, want n3", got)
	}
	send(m, common.NodeStatusMsg{At: resumed.Add(7 * time.Second), NodeID: "n2", Err: context.DeadlineExceeded, RTT: 1500 * time.Millisecond})
	if got := m.Unreachable(); strings.Join(got, " ") != "n2 n3" {
		t.Errorf("n2's poll timed out: unreachable %v, want n2 n3", got)
	}
}

// TestSleptBetween: the monotonic gap (a stopped process) or the wall
// clock's (a machine asleep: Linux's monotonic clock stops) past the
// refresh by suspendedAfter is a suspension; a late tick is not.
func TestSleptBetween(t *testing.T) {
	mono := time.Now()
	for _, c := range []struct {
		name      string
		prev, at  time.Time
		refresh   time.Duration
		wantSlept time.Duration
	}{
		{"first tick", time.Time{}, t0, time.Second, 0},
		{"on time", t0, t0.Add(time.Second), time.Second, 0},
		{"late under load", t0, t0.Add(4 * time.Second), time.Second, 0},
		{"late at 5s refresh", t0, t0.Add(9 * time.Second), 5 * time.Second, 0},
		{"stopped", t0, t0.Add(61 * time.Second), time.Second, time.Minute},
		{"stopped, monotonic", mono, mono.Add(31 * time.Second), time.Second, 30 * time.Second},
		// A wall-clock reading only (as after Round(0)): 10 minutes on.
		{"asleep, wall clock", mono, mono.Add(time.Second).Round(0).Add(10 * time.Minute), time.Second, 10 * time.Minute},
	} {
		if got := sleptBetween(c.prev, c.at, c.refresh); got != c.wantSlept {
			t.Errorf("%s: slept %s, want %s", c.name, got, c.wantSlept)
		}
	}
}

// TestTickIsStampedWhenItIsRead: found in tmux, the console said it had
// not run a second after SIGCONT, not at once: the tick due during the
// stop was read on SIGCONT but carried the time it was due (Go's timer
// value), so it looked on time, the TTL pane counted down from the stop
// for that second, and only the next tick showed the gap. The timer here
// fires 1 s after the command is made and is read 2.5 s after.
func TestTickIsStampedWhenItIsRead(t *testing.T) {
	m := newRoot(t, 80, 24)
	cmd := m.tickCmd()
	time.Sleep(2500 * time.Millisecond) // the process stopped: the timer went unread
	read := time.Now()
	msg, ok := cmd().(common.TickMsg)
	if !ok || msg.At.Before(read) {
		t.Fatalf("tick read at %s says %s (%s before)", read.Format("15:04:05.000"), msg.At.Format("15:04:05.000"), read.Sub(msg.At))
	}
}

// TestCtrlZSuspendsWhenAShellCanResume: ctrl+z did nothing (a raw-mode
// terminal sends it as a key, not SIGTSTP). Now it suspends the console
// when a job-control shell started it (checked in tmux: bash says
// 'Stopped', fg brings the screen back and the note says how long it did
// not run), also from a text field; otherwise it says why it does not.
func TestCtrlZSuspendsWhenAShellCanResume(t *testing.T) {
	ctrlZ := tea.KeyMsg{Type: tea.KeyCtrlZ}
	m := newRoot(t, 120, 30)
	m.suspendable = true
	send(m, press("/")) // a text field has the keys
	_, cmd := m.Update(ctrlZ)
	if cmd == nil {
		t.Fatal("ctrl+z: no command, want the suspension")
	}
	if _, ok := cmd().(tea.SuspendMsg); !ok {
		t.Fatal("ctrl+z: want tea.SuspendMsg")
	}
	m = newRoot(t, 120, 30)
	if _, cmd := m.Update(ctrlZ); cmd != nil {
		if _, ok := cmd().(tea.SuspendMsg); ok {
			t.Fatal("ctrl+z suspended a console nothing would resume")
		}
	}
	if s := m.StatusMessage(); !strings.Contains(s, "no shell with job control started the console") {
		t.Errorf("status %q, want why ctrl+z does not suspend", s)
	}
}

// TestListsReadAgainAfterASuspension: found in tmux, after ctrl+z, a key
// deleted and keys expired, then fg: the console said it was reading the
// cluster again, but the Keys pane went on listing the deleted key
// ('scanned at 17:00:50 (26s ago)') until something else made it read.
// Now the panes' lists read again after a suspension, as after a put.
func TestListsReadAgainAfterASuspension(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	m := newRoot(t, 120, 40, func(c *common.Common) { c.Data = fb })
	scans := fb.Calls("Scan")
	run(m, m.onSuspended(t0.Add(time.Second), t0.Add(30*time.Second), 28*time.Second))
	if fb.Calls("Scan") == scans {
		t.Fatal("no pane read its list again after the console did not run")
	}
}
