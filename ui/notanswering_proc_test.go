//go:build unix

package ui

import (
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/proccluster"
	"github.com/norikv/norikv-console/ui/common"
)

// ticksUntil processes messages until cond holds and returns how many
// ticks the model took meanwhile and how long it waited. It fails when the
// model is about to take tick most+1 with cond still false.
func (d *driver) ticksUntil(what string, most int, cond func() bool) (int, time.Duration) {
	d.t.Helper()
	start := time.Now()
	ticks := 0
	deadline := time.After(time.Duration(most+10) * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			if _, ok := msg.(common.TickMsg); ok {
				if ticks == most {
					d.t.Fatalf("%s: not within %d ticks (%s); state %s, unreachable %v, not answering %v\n%s",
						what, most, time.Since(start).Round(time.Millisecond), d.m.ConnState(), d.m.Unreachable(), d.m.NotAnswering(), d.m.View())
				}
				ticks++
			}
			_, cmd := d.m.Update(msg)
			d.run(cmd)
		case <-deadline:
			d.t.Fatalf("%s: not within %d ticks: no message for too long; state %s\n%s", what, most, d.m.ConnState(), d.m.View())
		}
	}
	return ticks, time.Since(start)
}

// TestStoppedNodesLeaveTheHeaderWithinTwoTicks: found in tmux with three
// `serve --fsync` processes under a console: after two were SIGSTOPped
// the header read "connected, 3/3 alive" until their next status polls
// timed out (up to 2 s to the next poll, 1.5 s to its timeout). Now
// within two ticks of the stop (a second each) the header and the Cluster
// pane no longer count them alive, and once their polls fail they are
// unreachable. A killed node, while another's poll hangs, is unreachable
// at the first tick: its poll is not held back by the hung one's. A node
// that answers late (paused for a second, as on a saturated machine) is
// "not answering" meanwhile, never unreachable.
func TestStoppedNodesLeaveTheHeaderWithinTwoTicks(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 4, Fsync: true})
	m, d, _ := consoleOn(t, pc.Addrs())
	allAlive := func() bool {
		return m.ConnState() == StateConnected && strings.Contains(m.View(), "nodes 3/3 alive") && len(m.Unreachable()) == 0
	}
	d.until("connected, 3/3 alive", time.Minute, allAlive)
	// Stopped just after a tick's polls answered: the longest wait for the
	// next poll (before, every other tick polled: an even one).
	d.until("two more ticks, every poll answered", 10*time.Second, func() bool {
		return m.ticks >= 3 && m.ticks%2 == 0 && allAlive() && len(m.reach.asked) == 0
	})
	resume := func(id string) {
		if pc.Paused(id) {
			pc.Resume(t, id)
		}
	}
	t.Cleanup(func() { resume("n2"); resume("n3") })

	// Two nodes stop answering.
	pc.Pause(t, "n2")
	pc.Pause(t, "n3")
	ticks, took := d.ticksUntil("the header stops counting n2 and n3 alive", 2, func() bool {
		return strings.Contains(m.View(), "nodes 1/3 alive")
	})
	v := m.View()
	t.Logf("n2, n3 stopped: the header said so after %d ticks, %s: %s", ticks, took.Round(time.Millisecond), strings.SplitN(v, "\n", 2)[0])
	// Both polls were sent at the tick after the stop: both are overdue
	// together (a poll in flight at the stop could make one fail first).
	if m.ConnState() != StateDegraded || strings.Count(v, RoleNotAnswering)+strings.Count(v, RoleUnreachable) < 2 {
		t.Fatalf("nodes table with n2, n3 stopped: state %s\n%s", m.ConnState(), v)
	}
	d.until("n2, n3 unreachable once their polls fail", 5*time.Second, func() bool {
		return strings.Join(m.Unreachable(), " ") == "n2 n3" && strings.Contains(m.View(), "nodes 1/3 alive, 2 unreachable")
	})
	resume("n2")
	resume("n3")
	d.until("back to 3/3 alive", time.Minute, allAlive)

	// n2 hangs; while its poll is out, n3 is killed: n3's own poll, sent at
	// the next tick, says so at once.
	pc.Pause(t, "n2")
	d.until("n2 out of the alive count, its poll out", 5*time.Second, func() bool {
		_, out := m.reach.asked["n2"]
		return out && strings.Contains(m.View(), "nodes 2/3 alive") // not answering, or suspect if the cluster said so first
	})
	pc.Kill(t, "n3")
	ticks, took = d.ticksUntil("n3 unreachable", 1, func() bool { return slices.Contains(m.Unreachable(), "n3") })
	t.Logf("n3 killed while n2's poll hung: unreachable after %d ticks, %s", ticks, took.Round(time.Millisecond))
	resume("n2")
	pc.Restart(t, "n3")
	d.until("back to 3/3 alive after n3's restart", time.Minute, allAlive)

	// n2 answers a poll a second late: not answering meanwhile, never
	// unreachable, nothing noted.
	logged := len(m.Messages())
	sawQuiet, stopped := false, false
	for deadline := time.Now().Add(15 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatalf("the slow answer: not seen within 15 s; quiet seen %v, state %s\n%s", sawQuiet, m.ConnState(), m.View())
		}
		msg := <-d.msgs
		if _, tick := msg.(common.TickMsg); tick && !stopped {
			// Stopped before the tick polls it, continued a second after.
			pc.Pause(t, "n2")
			p := pc.Proc("n2")
			time.AfterFunc(time.Second, func() { _ = p.Signal(syscall.SIGCONT) })
			stopped = true
		}
		_, cmd := m.Update(msg)
		d.run(cmd)
		if slices.Contains(m.Unreachable(), "n2") {
			t.Fatalf("n2, answering a second late, shown unreachable:\n%s", m.View())
		}
		// Not answering (or suspect, if the cluster said so first): out of
		// the alive count meanwhile.
		sawQuiet = sawQuiet || slices.Equal(m.NotAnswering(), []string{"n2"}) || strings.Contains(m.View(), "nodes 2/3 alive")
		if sawQuiet && allAlive() {
			break
		}
	}
	pc.Resume(t, "n2") // the bookkeeping: it runs already
	for _, e := range m.Messages()[logged:] {
		if strings.Contains(e.Text, "cannot reach") || strings.Contains(e.Text, "reachable again") {
			t.Errorf("said %q of a node that answered late", e.Text)
		}
	}
}
