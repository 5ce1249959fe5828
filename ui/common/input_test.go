package common_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func typeInto(in common.Input, keys ...tea.KeyMsg) common.Input {
	for _, k := range keys {
		in, _ = in.Update(k)
	}
	return in
}

func runes(s string) []tea.KeyMsg {
	var out []tea.KeyMsg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func prefilled(s string) common.Input {
	in := common.NewField("TTL: ", "")
	in.SetStyles(uitest.Styles())
	in.Width = 40
	in.Focus()
	in.Prefill(s)
	return in
}

func TestInputTypingReplacesPrefilledText(t *testing.T) {
	if got := typeInto(prefilled("33s"), runes("1h")...).Value(); got != "1h" {
		t.Errorf("typing over 33s gave %q, want 1h", got)
	}
	if got := typeInto(prefilled("33s"), runes("none")...).Value(); got != "none" {
		t.Errorf("typing over 33s gave %q, want none", got)
	}
	paste := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("0.1, 0.2"), Paste: true}
	if got := typeInto(prefilled("1, 2"), paste).Value(); got != "0.1, 0.2" {
		t.Errorf("paste gave %q", got)
	}
	if in := typeInto(prefilled("33s"), tea.KeyMsg{Type: tea.KeyCtrlV}); in.Value() != "" || in.Selected() {
		t.Errorf("ctrl+v over selected text left %q (selected %v): the paste must replace it", in.Value(), in.Selected())
	}
	if got := typeInto(prefilled("33s"), tea.KeyMsg{Type: tea.KeyBackspace}).Value(); got != "" {
		t.Errorf("backspace on selected text gave %q, want it cleared", got)
	}
	in := typeInto(prefilled("33s"), tea.KeyMsg{Type: tea.KeyEnter})
	if in.Value() != "33s" || !in.Selected() {
		t.Errorf("enter changed the field: %q selected %v", in.Value(), in.Selected())
	}
}

func TestInputCursorKeysKeepTextForEditing(t *testing.T) {
	if got := typeInto(prefilled("33s"), append([]tea.KeyMsg{{Type: tea.KeyRight}}, runes("x")...)...).Value(); got != "33sx" {
		t.Errorf("→ then x gave %q, want 33sx", got)
	}
	if got := typeInto(prefilled("33s"), append([]tea.KeyMsg{{Type: tea.KeyHome}}, runes("x")...)...).Value(); got != "x33s" {
		t.Errorf("home then x gave %q, want x33s", got)
	}
	if got := typeInto(prefilled("33s"), tea.KeyMsg{Type: tea.KeyLeft}, tea.KeyMsg{Type: tea.KeyBackspace}).Value(); got != "33" {
		t.Errorf("← then backspace gave %q, want 33", got)
	}
}

func TestInputFocusSelectsWhatItHolds(t *testing.T) {
	in := common.NewField("k ", "")
	in.SetValue("10")
	in.Blur()
	if in.Selected() {
		t.Fatal("SetValue selected the text")
	}
	in.Focus()
	if got := typeInto(in, runes("25")...).Value(); got != "25" {
		t.Errorf("typing into a focused field holding 10 gave %q, want 25", got)
	}
	empty := common.NewField("k ", "")
	empty.Focus()
	if empty.Selected() {
		t.Error("an empty field has nothing to select")
	}
}

func TestInputViewShowsTheSelectionAndTheRule(t *testing.T) {
	in := prefilled("33s")
	if v := in.View(); !strings.Contains(v, "TTL: 33s") || !strings.Contains(v, "typing replaces it") {
		t.Errorf("view = %q", v)
	}
	in = typeInto(in, runes("1")...)
	if v := in.View(); strings.Contains(v, "typing replaces") || !strings.Contains(v, "TTL: 1") {
		t.Errorf("after typing, view = %q", v)
	}
	long := prefilled(strings.Repeat("a", 100) + "END")
	if v := long.View(); !strings.Contains(v, "END") {
		t.Errorf("a long selected value shows its end like the field does: %q", v)
	}
}
