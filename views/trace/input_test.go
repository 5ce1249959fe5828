package trace

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A traced key stays in the field; editing the field again starts with it
// selected, so typing another key replaces it.
func TestTypingReplacesTheTracedKey(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	m.Update(common.TraceKeyMsg{Key: "user:42"})
	m.Update(tea.KeyMsg{Type: tea.KeyEnter}) // edit
	for _, r := range "k9" {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if got := m.input.Value(); got != "k9" {
		t.Fatalf("typing over user:42 gave %q, want k9", got)
	}
}
