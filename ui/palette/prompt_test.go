package palette

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A pre-filled prompt starts with its text selected: typing replaces it (the
// Keys pane's `t` on a key with 33s left made "33s1h").
func TestPromptTypingReplacesTheDefault(t *testing.T) {
	run := func(arg string) tea.Cmd { return common.MsgCmd(ranMsg{arg}) }
	for _, c := range []struct{ typed, want string }{{"1h", "1h"}, {"none", "none"}, {"", "33s"}} {
		m := New(uitest.Styles())
		m.SetSize(80, 24)
		m, _ = m.OpenAction(common.Action{Title: "Set TTL", Prompt: "TTL for k (30s, 5m, 1h, 2d; 0 removes it)", Default: "33s", Run: run})
		m = keys(m, c.typed)
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		if got, ok := ran(collect(cmd)); !ok || got != c.want {
			t.Errorf("typed %q over 33s: ran with %q (%v), want %q", c.typed, got, ok, c.want)
		}
	}
}

// At 80x24 a long prompt (create index, insert vector) still leaves the
// typed text in view: the question is wrapped above the field.
func TestLongPromptShowsWhatIsTypedAt80x24(t *testing.T) {
	prompt := "NAME DIMS euclidean|cosine|inner_product [hnsw|brute_force] [m=16 efc=200 ef=64]"
	m := New(uitest.Styles())
	m.SetSize(80, 24)
	m, _ = m.OpenAction(common.Action{Title: "Create a vector index", Prompt: prompt, Run: func(string) tea.Cmd { return nil }})
	m = keys(m, "docs 384 cosine")
	v := m.View()
	if !strings.Contains(v, "> docs 384 cosine") {
		t.Fatalf("typed text not shown:\n%s", v)
	}
	if !strings.Contains(v, "efc=200 ef=64]") {
		t.Fatalf("the prompt was cut instead of wrapped:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Fatalf("line wider than 80: %q", l)
		}
	}
}

// A disabled action (a write on a read-only profile) is listed dimmed and
// refused at once: no prompt, no confirmation, nothing run.
func TestDisabledActionIsRefusedBeforeAnyPrompt(t *testing.T) {
	ranIt := false
	a := common.Action{Title: "Set TTL of key k", Prompt: "TTL", Default: "33s", Confirm: "sure?",
		Disabled: common.ErrReadOnly, Run: func(string) tea.Cmd { ranIt = true; return nil }}
	m := New(uitest.Styles())
	m.SetSize(80, 24)
	m, cmd := m.OpenAction(a)
	if m.Active() {
		t.Fatalf("palette opened at stage %q for a disabled action", m.Stage())
	}
	var refused bool
	for _, msg := range collect(cmd) {
		if r, ok := msg.(common.OpResultMsg); ok && errors.Is(r.Err, common.ErrReadOnly) {
			refused = true
		}
	}
	if !refused || ranIt {
		t.Fatalf("refused %v, ran %v", refused, ranIt)
	}
	m, _ = m.Open([]common.Action{a})
	if v := m.View(); !strings.Contains(v, "Set TTL of key k") || !strings.Contains(v, "off") {
		t.Fatalf("disabled action not listed as off:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if m.Active() || ranIt {
		t.Fatalf("enter on a disabled action: stage %q, ran %v", m.Stage(), ranIt)
	}
}
