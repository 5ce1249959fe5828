package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestPaneTooSmallAsksForATerminalSize: at 40x8 (the console's minimum)
// the Cluster pane gets 5 rows and said "terminal too small / need 40x8"
// in a terminal of 40x8 (seen resizing tmux): the size asked for must be
// the terminal's, header, tabs and status line included.
func TestPaneTooSmallAsksForATerminalSize(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, tea.WindowSizeMsg{Width: 40, Height: 8})
	v := m.View()
	if strings.Contains(v, "need 40x8") || !strings.Contains(v, "need 40x11") {
		t.Fatalf("Cluster pane at 40x8:\n%s", v)
	}
	send(m, press("2")) // Events draws in 3 rows: no notice
	if v := m.View(); strings.Contains(v, "too small") {
		t.Fatalf("Events pane at 40x8:\n%s", v)
	}
	send(m, tea.WindowSizeMsg{Width: 45, Height: 30})
	send(m, press("3")) // Stats needs 50 columns
	if v := m.View(); !strings.Contains(v, "need 50x9") {
		t.Fatalf("Stats pane at 45x30:\n%s", v)
	}
}
