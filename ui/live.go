package ui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// maxHeld bounds the live updates kept while paused (about an hour of
// ticks, stats and node polls on a 3-node cluster); older ones are dropped
// and counted.
const maxHeld = 20000

// Refresh rates :refresh accepts; the default is feed.Tick (1s).
var refreshRates = []time.Duration{500 * time.Millisecond, time.Second, 5 * time.Second}

// ParseRefresh reads a refresh rate (500ms, 1s or 5s), for :refresh and the
// config file's refresh setting.
func ParseRefresh(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	for _, r := range refreshRates {
		if err == nil && d == r {
			return d, nil
		}
	}
	return 0, fmt.Errorf("refresh %q: use 500ms, 1s or 5s", strings.TrimSpace(s))
}

// isLive reports whether msg is a live update that pausing holds back from
// the panes (the root itself still takes it in).
func isLive(msg tea.Msg) bool {
	switch msg.(type) {
	case common.TopologyMsg, common.StatsMsg, common.NodeStatusMsg, common.PollsSentMsg, common.TickMsg, common.SuspendedMsg:
		return true
	}
	return false
}

// hold keeps a live update for the panes until resume. Consecutive ticks
// collapse into the latest: replaying an hour of ticks would fire every
// pane's periodic work at once.
func (m *Model) hold(msg tea.Msg) {
	if _, tick := msg.(common.TickMsg); tick {
		if n := len(m.held); n > 0 {
			if _, last := m.held[n-1].(common.TickMsg); last {
				m.held[n-1] = msg
				return
			}
		}
	}
	if len(m.held) >= maxHeld {
		m.held = m.held[1:]
		m.dropped++
	}
	m.held = append(m.held, msg)
}

// togglePause freezes or resumes the panes. Paused, the root keeps
// collecting (views, stats, node polls) and holds them; resuming delivers
// them in order, so graphs and the events timeline have no gap.
func (m *Model) togglePause() tea.Cmd {
	if !m.paused {
		m.paused = true
		m.setInfo(fmt.Sprintf("paused: the panes are frozen, updates are collected (%s resumes)", m.common.Keys.Pause.Help().Key))
		return nil
	}
	m.paused = false
	held, dropped := m.held, m.dropped
	m.held, m.dropped = nil, 0
	cmds := make([]tea.Cmd, 0, len(held))
	for _, msg := range held {
		cmds = append(cmds, m.broadcast(msg))
	}
	note := fmt.Sprintf("resumed: %d updates delivered", len(held))
	if dropped > 0 {
		note += fmt.Sprintf(" (%d oldest dropped)", dropped)
	}
	m.setInfo(note)
	return tea.Batch(cmds...)
}

// Paused reports whether live updates are paused.
func (m *Model) Paused() bool { return m.paused }

// Held returns how many live updates wait for resume.
func (m *Model) Held() int { return len(m.held) }

// Refresh returns the live refresh interval.
func (m *Model) Refresh() time.Duration { return m.refresh }

// setRefresh changes how often the console ticks (stats sampled, nodes
// polled, panes redrawn with new data).
func (m *Model) setRefresh(arg string) {
	d, err := ParseRefresh(arg)
	if err != nil {
		m.setError(err)
		return
	}
	m.refresh = d
	m.setInfo("refresh: every " + d.String())
}

func (m *Model) tickCmd() tea.Cmd {
	d := m.refresh
	// Stamped when read, not with the timer's time: a timer read late
	// (the process was stopped) gives the time it was due, and the tick
	// after a suspension must say now (suspension.go).
	return tea.Tick(d, func(time.Time) tea.Msg { return common.TickMsg{At: time.Now()} })
}

// rootKeyMsg asks the root to act as if one of its keys was pressed (the
// palette's copy, sort and pause commands).
type rootKeyMsg struct{ do func(*Model) tea.Cmd }

// liveActions are the palette commands for the root's copy, sort, pause
// and refresh keys.
func (m *Model) liveActions() []common.Action {
	k := m.common.Keys
	do := func(f func(*Model) tea.Cmd) func(string) tea.Cmd {
		return func(string) tea.Cmd { return common.MsgCmd(rootKeyMsg{do: f}) }
	}
	pause := "Pause live updates"
	if m.paused {
		pause = "Resume live updates"
	}
	return []common.Action{
		{Title: "Copy selection", Help: "copy the selected key, value, id or address to the clipboard (OSC 52)", Keys: k.Copy.Help().Key,
			Run: do(func(m *Model) tea.Cmd { return m.copySelection(false) })},
		{Title: "Copy table as TSV", Help: "copy the active pane's table, tab-separated", Keys: k.CopyTable.Help().Key,
			Run: do(func(m *Model) tea.Cmd { return m.copySelection(true) })},
		{Title: "Sort by next column", Help: "sort the active pane's table", Keys: k.Sort.Help().Key,
			Run: do(func(m *Model) tea.Cmd { m.sortActive(false); return nil })},
		{Title: "Reverse sort", Help: "reverse the sort's direction", Keys: k.SortReverse.Help().Key,
			Run: do(func(m *Model) tea.Cmd { m.sortActive(true); return nil })},
		{Title: pause, Help: "freeze the screen; data keeps being collected", Keys: k.Pause.Help().Key,
			Run: do(func(m *Model) tea.Cmd { return m.togglePause() })},
		{Title: "refresh", Help: "how often live data updates: 500ms, 1s or 5s", Prompt: "refresh every (500ms, 1s, 5s)", Default: m.refresh.String(),
			Run: do2(func(m *Model, arg string) { m.setRefresh(arg) })},
	}
}

func do2(f func(*Model, string)) func(string) tea.Cmd {
	return func(arg string) tea.Cmd {
		return common.MsgCmd(rootKeyMsg{do: func(m *Model) tea.Cmd { f(m, arg); return nil }})
	}
}
