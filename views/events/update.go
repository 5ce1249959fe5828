package events

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// Init implements common.Pane.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.TopologyMsg:
		if msg.View == nil {
			return nil
		}
		e := entryFrom(msg.At, m.last, msg.View, msg.Event)
		m.last = msg.View
		m.entries = append([]Entry{e}, m.entries...)
		if m.cursor > 0 {
			m.cursor++ // keep the selected entry selected
		}
	case tea.KeyMsg:
		m.onKey(msg)
	case tea.MouseMsg:
		m.onMouse(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyMsg) {
	g := m.common.Keys
	n := len(m.visible())
	page := max(1, m.height/2)
	if pos, ok := g.Move(msg, m.cursor, page, n); ok {
		m.cursor = pos
	} else if key.Matches(msg, m.keys.Clear) {
		m.entries, m.cursor, m.top = nil, 0, 0
	}
	m.cursor = max(0, min(m.cursor, n-1))
}

func (m *Model) onMouse(msg tea.MouseMsg) {
	switch {
	case msg.Button == tea.MouseButtonWheelUp:
		m.cursor = max(0, m.cursor-1)
	case msg.Button == tea.MouseButtonWheelDown:
		m.cursor = min(len(m.visible())-1, m.cursor+1)
	case msg.Button == tea.MouseButtonLeft && msg.Action == tea.MouseActionPress:
		if i, ok := m.entryAtLine(msg.Y); ok {
			m.cursor = i
		}
	}
}

// visible returns the entries matching the filter.
func (m *Model) visible() []Entry {
	if m.filter == "" {
		return m.entries
	}
	f := strings.ToLower(m.filter)
	var out []Entry
	for _, e := range m.entries {
		if strings.Contains(strings.ToLower(strings.Join(e.lines(), " ")), f) {
			out = append(out, e)
		}
	}
	return out
}
