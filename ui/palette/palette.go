// Package palette is the console's command palette: fuzzy search over every
// action, then an optional argument prompt and a yes/no confirmation.
package palette

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/sahilm/fuzzy"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

type stage int

const (
	closed stage = iota
	choosing
	prompting
	confirming
)

// ClosedMsg tells the root the palette closed (after running or cancelling).
type ClosedMsg struct{}

// Model is the palette. It is a value: Update returns the new palette.
type Model struct {
	styles  *themes.Styles
	input   common.Input
	actions []common.Action
	matches []fuzzy.Match
	cursor  int
	stage   stage
	chosen  common.Action
	arg     string
	width   int
	height  int
}

// New returns a closed palette.
func New(st *themes.Styles) Model {
	in := common.NewField(": ", "")
	in.CharLimit = 256
	in.SetStyles(st)
	return Model{styles: st, input: in}
}

// Active reports whether the palette is open.
func (m Model) Active() bool { return m.stage != closed }

// Stage names the open stage, for tests: "", "choose", "prompt" or "confirm".
func (m Model) Stage() string {
	return [...]string{"", "choose", "prompt", "confirm"}[m.stage]
}

// SetSize sets the area the palette box is drawn in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(1, min(w, 72)-8)
}

// Open shows the palette over actions.
func (m Model) Open(actions []common.Action) (Model, tea.Cmd) {
	m.actions = actions
	m.stage = choosing
	m.input.Prompt = ": "
	m.input.Placeholder = "type to search commands"
	m.input.SetValue("")
	m.refilter()
	return m, m.input.Focus()
}

// OpenAction goes straight to the prompt or confirmation of one action, or
// runs it when it needs neither.
func (m Model) OpenAction(a common.Action) (Model, tea.Cmd) {
	return m.choose(a)
}

// Matches returns the titles currently listed, best first.
func (m Model) Matches() []string {
	out := make([]string, len(m.matches))
	for i, mt := range m.matches {
		out[i] = mt.Str
	}
	return out
}

type titles []common.Action

func (t titles) String(i int) string { return t[i].Title }
func (t titles) Len() int            { return len(t) }

func (m *Model) refilter() {
	q := strings.TrimSpace(m.input.Value())
	if q == "" {
		m.matches = m.matches[:0]
		for i, a := range m.actions {
			m.matches = append(m.matches, fuzzy.Match{Str: a.Title, Index: i})
		}
	} else {
		m.matches = fuzzy.FindFrom(q, titles(m.actions))
	}
	m.cursor = max(0, min(m.cursor, len(m.matches)-1))
}

// Update handles keys while the palette is open.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || m.stage == closed {
		return m, nil
	}
	switch m.stage {
	case choosing:
		return m.updateChoosing(km)
	case prompting:
		return m.updatePrompting(km)
	case confirming:
		return m.updateConfirming(km)
	}
	return m, nil
}

func (m Model) updateChoosing(km tea.KeyMsg) (Model, tea.Cmd) {
	switch km.String() {
	case "esc":
		return m.close()
	case "up", "ctrl+k", "ctrl+p":
		m.cursor = max(0, m.cursor-1)
		return m, nil
	case "down", "ctrl+j", "ctrl+n":
		m.cursor = min(len(m.matches)-1, m.cursor+1)
		return m, nil
	case "enter":
		if a, arg, ok := m.inline(); ok {
			return m.chooseWith(a, arg)
		}
		if len(m.matches) == 0 {
			return m, nil
		}
		return m.choose(m.actions[m.matches[m.cursor].Index])
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(km)
	m.cursor = 0
	m.refilter()
	return m, cmd
}

// inline finds a command typed with its argument, like "refresh 500ms": an
// action with a prompt whose title, ignoring case, starts the query.
func (m Model) inline() (common.Action, string, bool) {
	q := strings.TrimSpace(m.input.Value())
	for _, a := range m.actions {
		t := strings.ToLower(a.Title) + " "
		if a.Prompt != "" && len(q) > len(t) && strings.ToLower(q[:len(t)]) == t {
			return a, strings.TrimSpace(q[len(t):]), true
		}
	}
	return common.Action{}, "", false
}

// chooseWith runs a with arg given inline: no prompt, the confirmation
// still asked.
func (m Model) chooseWith(a common.Action, arg string) (Model, tea.Cmd) {
	if a.Disabled != nil {
		return m.choose(a)
	}
	m.chosen, m.arg = a, arg
	if a.Confirm != "" {
		m.stage = confirming
		return m, nil
	}
	return m.run()
}

// choose moves on from a chosen action to its prompt, confirmation or run.
func (m Model) choose(a common.Action) (Model, tea.Cmd) {
	if a.Disabled != nil { // refused before any prompt (a write on read-only)
		m, closeCmd := m.close()
		return m, tea.Batch(closeCmd, common.Refuse(strings.ToLower(a.Title), a.Disabled))
	}
	m.chosen, m.arg = a, ""
	if a.Prompt != "" {
		m.stage = prompting
		// The question goes above the field (View wraps it): as the field's
		// prompt a long one left no room for what is typed.
		m.input.Prompt = "> "
		m.input.Placeholder = ""
		m.input.Prefill(a.Default) // typing replaces the default
		return m, m.input.Focus()
	}
	if a.Confirm != "" {
		m.stage = confirming
		return m, nil
	}
	return m.run()
}

func (m Model) updatePrompting(km tea.KeyMsg) (Model, tea.Cmd) {
	switch km.String() {
	case "esc":
		return m.close()
	case "enter":
		m.arg = strings.TrimSpace(m.input.Value())
		if m.chosen.Confirm != "" {
			m.stage = confirming
			return m, nil
		}
		return m.run()
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(km)
	return m, cmd
}

func (m Model) updateConfirming(km tea.KeyMsg) (Model, tea.Cmd) {
	switch strings.ToLower(km.String()) {
	case "y", "enter":
		return m.run()
	case "n", "esc", "q":
		return m.close()
	}
	return m, nil
}

func (m Model) run() (Model, tea.Cmd) {
	a, arg := m.chosen, m.arg
	m, closeCmd := m.close()
	if a.Run == nil {
		return m, closeCmd
	}
	return m, tea.Batch(closeCmd, a.Run(arg))
}

func (m Model) close() (Model, tea.Cmd) {
	m.stage = closed
	m.input.Blur()
	m.input.SetValue("")
	return m, common.MsgCmd(ClosedMsg{})
}
