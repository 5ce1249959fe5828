package palette

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

type ranMsg struct{ arg string }

func actions() []common.Action {
	run := func(arg string) tea.Cmd { return common.MsgCmd(ranMsg{arg}) }
	return []common.Action{
		{Title: "Go to Cluster", Run: run},
		{Title: "Go to Stats", Run: run},
		{Title: "Stop node n2", Confirm: "Stop node n2?", Run: run},
		{Title: "Move a shard's leader", Prompt: "shard and node", Confirm: "Move %s?", Run: run},
	}
}

func keys(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

// collect runs cmd and returns the messages it yields (batches flattened).
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, collect(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func ran(msgs []tea.Msg) (string, bool) {
	for _, m := range msgs {
		if r, ok := m.(ranMsg); ok {
			return r.arg, true
		}
	}
	return "", false
}

func TestFuzzyChooseAndRun(t *testing.T) {
	m := New(uitest.Styles())
	m.SetSize(80, 20)
	m, _ = m.Open(actions())
	if len(m.Matches()) != 4 {
		t.Fatalf("empty query lists %v", m.Matches())
	}
	m = keys(m, "gsta")
	if got := m.Matches(); len(got) != 1 || got[0] != "Go to Stats" {
		t.Fatalf("gsta matches %v", got)
	}
	if v := m.View(); !strings.Contains(v, "Go to Stats") || !strings.Contains(v, "Commands") {
		t.Errorf("view:\n%s", v)
	}
	m, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m.Active() {
		t.Fatal("palette still open after running")
	}
	if _, ok := ran(collect(cmd)); !ok {
		t.Fatal("action did not run")
	}
}

func TestPromptThenConfirm(t *testing.T) {
	m := New(uitest.Styles())
	m.SetSize(80, 20)
	m, _ = m.Open(actions())
	m = keys(m, "move")
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m.Stage() != "prompt" {
		t.Fatalf("stage %q, want prompt", m.Stage())
	}
	m = keys(m, "17 n2")
	m, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m.Stage() != "confirm" || cmd != nil {
		t.Fatalf("stage %q, want confirm without running", m.Stage())
	}
	if v := m.View(); !strings.Contains(v, "Move 17 n2?") {
		t.Errorf("confirmation lacks the argument:\n%s", v)
	}
	m, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	if arg, ok := ran(collect(cmd)); !ok || arg != "17 n2" {
		t.Fatalf("ran %q %v", arg, ok)
	}
}

func TestDeclineAndEscape(t *testing.T) {
	m := New(uitest.Styles())
	m.SetSize(80, 20)
	m, _ = m.OpenAction(actions()[2])
	if m.Stage() != "confirm" {
		t.Fatalf("stage %q", m.Stage())
	}
	m, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	if _, ok := ran(collect(cmd)); ok || m.Active() {
		t.Fatal("declined action ran or palette stayed open")
	}
	m, _ = m.Open(actions())
	m, cmd = m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if _, ok := ran(collect(cmd)); ok || m.Active() {
		t.Fatal("esc ran an action or left the palette open")
	}
}
