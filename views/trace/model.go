// Package trace is the console's key routing trace: for a typed key it shows
// every step the client takes to reach it, xxhash64 -> shard -> group and
// replicas -> leader -> address, and whether the leader came from the
// client's cache or the cluster view.
package trace

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Minimum size the pane can draw in.
const (
	MinWidth  = 40
	MinHeight = 8
)

// Model is the trace pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int

	input   common.Input
	view    *client.ClusterView
	groupOf map[int]int
	// polls is each node's last status poll (by node id): whether the
	// traced key's leader answers the console at all.
	polls  map[string]common.NodeStatusMsg
	reqID  int
	result *routeMsg
}

// New returns the trace pane.
func New(c common.Common) *Model {
	in := common.NewField("key> ", "type a key, e.g. user:42")
	in.CharLimit = 1024
	in.SetStyles(c.Styles)
	return &Model{common: c, keys: DefaultKeyMap(), input: in, groupOf: map[int]int{}, polls: map[string]common.NodeStatusMsg{}}
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) {
	m.common.Styles = st
	m.input.SetStyles(st)
}

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Trace" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(1, w-len(m.input.Prompt)-1)
}

// CapturingInput implements common.InputCapturer.
func (m *Model) CapturingInput() bool { return m.input.Focused() }

// Traced returns the key of the trace shown, "" when none.
func (m *Model) Traced() string {
	if m.result == nil {
		return ""
	}
	return m.result.key
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	if m.input.Focused() {
		return []key.Binding{m.keys.Run, m.keys.Leave}
	}
	return []key.Binding{m.keys.Edit}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Edit, m.keys.Run, m.keys.Leave}}
}

// Actions implements common.Pane.
func (m *Model) Actions() []common.Action { return nil }

// Init implements common.Pane.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.TopologyMsg:
		if msg.View != nil {
			m.view = msg.View
		}
		if m.result != nil { // the leader may have moved: trace again
			return m.trace(m.result.key)
		}
	case common.NodeStatusMsg:
		if msg.Status != nil || msg.Err != nil {
			m.polls[msg.NodeID] = msg
		}
		if msg.Status != nil {
			for _, g := range msg.Status.Groups {
				for _, s := range g.Shards {
					m.groupOf[s] = g.GroupID
				}
			}
		}
	case common.TraceKeyMsg:
		m.input.SetValue(msg.Key)
		m.input.Blur()
		return m.trace(msg.Key)
	case routeMsg:
		if msg.reqID == m.reqID {
			m.result = &msg
		}
	case tea.KeyMsg:
		return m.onKey(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	if !m.input.Focused() {
		if key.Matches(msg, m.keys.Edit) {
			return m.input.Focus()
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Leave):
		m.input.Blur()
		return nil
	case key.Matches(msg, m.keys.Run):
		m.input.Blur()
		return m.trace(m.input.Value())
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

// trace asks the client how k is routed, off the update loop.
func (m *Model) trace(k string) tea.Cmd {
	c := m.common.Backend()
	if k == "" {
		return common.MsgCmd(common.ErrorMsg{Err: errEmptyKey})
	}
	if c == nil {
		return nil
	}
	m.reqID++
	id := m.reqID
	return func() tea.Msg { return routeMsg{reqID: id, key: k, route: c.Route([]byte(k))} }
}
