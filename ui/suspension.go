package ui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
)

// A console on a laptop or a jump host gets suspended (Ctrl-Z then fg,
// SIGSTOP/SIGCONT, the lid closed, a VM paused) while the cluster changes.
// Nothing in the process runs meanwhile: on resume its timers fire at once,
// calls in flight find their deadlines past, and the last answers it holds
// are old because it did not ask, not because the nodes did not answer.
// The root notices from the ticks (one per refresh) and says so; until the
// nodes answer again it judges none of them on that old evidence.

// suspendedAfter is how much later than the refresh a tick must come for
// the console to say it did not run: a loaded machine delays ticks by a
// second or two, never by this much.
const suspendedAfter = 5 * time.Second

// stretchedPoll: a status poll that failed after this long did not fail
// in its own time (its deadline is feed.PollTimeout) but waited while the
// console did not run; its failure says nothing about the node.
const stretchedPoll = 2 * feed.PollTimeout

// sleptBetween returns how long the console did not run between two ticks
// refresh apart, 0 when they came about in time. Both clocks count: the
// monotonic one goes on while the process is stopped (SIGSTOP, Ctrl-Z), but
// stops with a machine asleep (Linux's CLOCK_MONOTONIC), whose wall clock
// jumps instead.
func sleptBetween(prev, at time.Time, refresh time.Duration) time.Duration {
	if prev.IsZero() || at.IsZero() {
		return 0
	}
	if refresh <= 0 {
		refresh = feed.Tick
	}
	gap := at.Sub(prev)
	if wall := at.Round(0).Sub(prev.Round(0)); wall > gap {
		gap = wall
	}
	if gap-refresh < suspendedAfter {
		return 0
	}
	return gap - refresh
}

// onSuspended says that the console did not run from from to to and tells
// the panes (the Events timeline marks the gap, the Stats pane leaves it
// blank) and makes the lists read again.
func (m *Model) onSuspended(from, to time.Time, slept time.Duration) tea.Cmd {
	m.reach.resumedAt = to
	m.setInfo(fmt.Sprintf("the console did not run for %s, until %s (suspended, stopped or starved): reading the cluster again",
		slept.Round(time.Second), to.Format("15:04:05")))
	cmds := []tea.Cmd{m.broadcast(common.SuspendedMsg{From: from, To: to})}
	if !m.paused {
		// Keys may have been written, deleted or expired meanwhile: the
		// lists shown (Keys, TTL, Vectors) read again, as after a put.
		cmds = append(cmds, m.broadcast(common.DataChangedMsg{}))
	}
	return tea.Batch(cmds...)
}

// suspend stops the console (ctrl+z) when a shell can resume it; the tick
// after fg says how long it did not run. Otherwise it says why not: a
// console started straight by tmux or ssh would wait, its terminal
// released, for a SIGCONT nobody sends.
func (m *Model) suspend() tea.Cmd {
	if !m.suspendable {
		m.setInfo("ctrl+z: no shell with job control started the console, so nothing would resume it (fg); " +
			m.common.Keys.Quit.Help().Key + " quits")
		return nil
	}
	return tea.Suspend
}
