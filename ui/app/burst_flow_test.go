package app

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// Keys that reach Bubble Tea in one read arrive as one message ("jjj"); on
// the embedded cluster's sample keys, a burst switches to the Keys pane and
// moves three rows, as if typed one by one.
func TestFlowKeyBurstOnTheEmbeddedCluster(t *testing.T) {
	_, m := startSession(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "nodes 3/3 alive")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("5")})
	waitFor(t, tm, "[5 Keys]", "cache:homepage", "user:1")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjj")})
	waitFor(t, tm, "> lock:nightly-report")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
