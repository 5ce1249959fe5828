// Package stats is the console's stats pane: per-operation rates, latency
// percentiles, errors, retries and redirects from the client's
// instrumentation, with latency sparklines and pool/router/topology state.
package stats

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/stats"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// History is how many one-second samples the sparklines keep (5 minutes).
const History = 300

// Minimum size the pane can draw in.
const (
	MinWidth  = 50
	MinHeight = 6
)

// Model is the stats pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int

	rec     *stats.Recorder
	last    *client.Stats
	lastAt  time.Time
	showAll bool
	filter  string
	cursor  int
	ops     []string // rows shown, in order
	sort    common.SortState
	split   bool               // the selected operation's latency by node instead of the graph
	nodeOf  map[string]string  // node address -> id, from the cluster view
	hist    *common.HistoryMsg // the cluster pane's time-travel history
	// gap: the console did not run until gap.To; the first sample from
	// then spans it and is taken as a baseline only (stats.Recorder.Rebase).
	gap *common.SuspendedMsg
	// first is the first row shown and rows how many fit, set by layout so
	// View and mouse clicks agree.
	first, rows int
}

// New returns the stats pane.
func New(c common.Common) *Model {
	return &Model{common: c, keys: DefaultKeyMap(), rec: stats.NewRecorder(History)}
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) { m.common.Styles = st }

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Stats" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// SetFilter keeps the operations whose name contains text.
func (m *Model) SetFilter(text string) {
	m.filter = text
	m.refreshOps()
	m.layout()
}

// Selected returns the operation whose latency is graphed.
func (m *Model) Selected() string {
	if m.cursor < len(m.ops) {
		return m.ops[m.cursor]
	}
	return ""
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.common.Keys.Up, m.common.Keys.Down, m.keys.ByNode, m.keys.ShowAll}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.common.Keys.Up, m.common.Keys.Down, m.common.Keys.Home, m.common.Keys.End}, {m.keys.ByNode, m.keys.ShowAll}}
}

// Actions implements common.Pane.
func (m *Model) Actions() []common.Action { return nil }

// Init implements common.Pane.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	m.update(msg)
	m.layout() // View only draws: the rows shown (and clicked) are fixed here
	return nil
}

// layout keeps the cursor's row among the rows that fit.
func (m *Model) layout() {
	m.rows = 1
	if m.last != nil {
		m.rows = max(1, (m.height-len(m.footer())-1)/2)
	}
	m.first = max(0, min(m.first, m.cursor))
	if m.cursor >= m.first+m.rows {
		m.first = m.cursor - m.rows + 1
	}
}

func (m *Model) update(msg tea.Msg) {
	switch msg := msg.(type) {
	case common.StatsMsg:
		s := msg.Stats
		m.last, m.lastAt = &s, msg.At
		if m.gap != nil && !msg.At.Before(m.gap.To) {
			m.gap = nil
			m.rec.Rebase(stats.FromClient(msg.At, s))
		} else {
			m.rec.Observe(stats.FromClient(msg.At, s))
		}
		m.refreshOps()
	case common.TopologyMsg:
		if msg.View != nil {
			m.nodeOf = make(map[string]string, len(msg.View.Nodes))
			for _, n := range msg.View.Nodes {
				m.nodeOf[n.Addr] = n.ID
			}
		}
	case common.SuspendedMsg:
		m.gap = &msg
	case common.HistoryMsg:
		m.hist = &msg
	case tea.KeyMsg:
		g := m.common.Keys
		switch {
		case key.Matches(msg, g.Up):
			m.cursor--
		case key.Matches(msg, g.Down):
			m.cursor++
		case key.Matches(msg, g.Home):
			m.cursor = 0
		case key.Matches(msg, g.End):
			m.cursor = len(m.ops) - 1
		case key.Matches(msg, m.keys.ByNode):
			m.split = !m.split
		case key.Matches(msg, m.keys.ShowAll):
			m.showAll = !m.showAll
			m.refreshOps()
		}
		m.cursor = max(0, min(m.cursor, len(m.ops)-1))
	case tea.MouseMsg:
		switch {
		case msg.Button == tea.MouseButtonWheelUp:
			m.cursor = max(0, m.cursor-1)
		case msg.Button == tea.MouseButtonWheelDown:
			m.cursor = max(0, min(len(m.ops)-1, m.cursor+1))
		case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
			// Row 0 is the header; the rows start at the first one shown.
			if row := msg.Y - 1; row >= 0 && row < m.rows && m.first+row < len(m.ops) {
				m.cursor = m.first + row
			}
		}
	}
}

// refreshOps picks the rows: operations called at least once (or all with
// show-all), matching the filter, keeping the selected one selected.
func (m *Model) refreshOps() {
	sel := m.Selected()
	m.ops = m.ops[:0]
	if m.last == nil {
		return
	}
	f := strings.ToLower(m.filter)
	for op, o := range m.last.Ops {
		if (m.showAll || o.Calls > 0) && (f == "" || strings.Contains(op, f)) {
			m.ops = append(m.ops, op)
		}
	}
	sort.Strings(m.ops)
	m.sortOps()
	m.cursor = 0
	for i, op := range m.ops {
		if op == sel {
			m.cursor = i
		}
	}
}
