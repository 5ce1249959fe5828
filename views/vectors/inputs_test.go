package vectors

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Every field of the query form follows the console's input rule: focused
// with text in it, the text is selected and typing replaces it.
func TestQueryFormTypingReplacesWhatTheFieldHeld(t *testing.T) {
	m := listed(80, 24)
	m.Update(keyRunes("x")) // a random query fills the field, cursor at its start
	if m.inputs[fieldQuery].Value() == "" {
		t.Fatal("x left the query empty")
	}
	press(m, "e", "1", ",", " ", "2", ",", " ", "3", ",", " ", "4")
	if got := m.inputs[fieldQuery].Value(); got != "1, 2, 3, 4" {
		t.Fatalf("typing into the query field after x gave %q, want 1, 2, 3, 4", got)
	}
	press(m, "tab", "2", "5") // k held 10
	if got := m.inputs[fieldK].Value(); got != "25" {
		t.Fatalf("typing 25 into k gave %q", got)
	}
	press(m, "esc", "n", "i", "m", "a", "g", "e", "s")
	if got := m.Namespace(); got != "images" {
		t.Fatalf("typing a namespace over docs gave %q", got)
	}
	press(m, "esc", "e", "backspace")
	if got := m.inputs[fieldQuery].Value(); got != "" {
		t.Fatalf("backspace on the selected query gave %q, want it cleared", got)
	}
}

// What is typed shows at the pane's minimum size in every form field.
func TestQueryFormShowsTypedTextAt80x24(t *testing.T) {
	m := listed(80, 24)
	press(m, "e", "9", ".", "5")
	if v := m.View(); !strings.Contains(v, "vector> 9.5") {
		t.Fatalf("typed query not shown:\n%s", v)
	}
}

func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
