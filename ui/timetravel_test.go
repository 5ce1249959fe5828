package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
	"github.com/norikv/norikv-console/views/cluster"
)

// Time travel through the root: enter on an event of the Events pane shows
// the Cluster pane at that epoch, esc there returns to live, and the Stats
// footer reports the history's memory.
func TestTimeTravelThroughTheRoot(t *testing.T) {
	m := newRoot(t, 100, 40)
	v8, ev := uitest.MoveGroup(uitest.View(7, 3, 1024, 16), 16, 1, "n1")
	send(m, common.TopologyMsg{At: t0.Add(time.Second), View: v8, Event: ev})
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")}) // Events
	send(m, tea.KeyMsg{Type: tea.KeyDown})                      // epoch 7, the first view
	send(m, tea.KeyMsg{Type: tea.KeyEnter})
	cp, ok := m.Active().(*cluster.Model)
	if !ok {
		t.Fatalf("enter on an event shows %q, want the Cluster pane", m.Active().Title())
	}
	if e, ok := cp.Travelling(); !ok || e != 7 {
		t.Fatalf("cluster pane travelling = %d %v, want epoch 7", e, ok)
	}
	if v := m.View(); !strings.Contains(v, "TIME TRAVEL epoch 7") || !strings.Contains(v, "now 8") {
		t.Fatalf("screen:\n%s", v)
	}
	send(m, tea.KeyMsg{Type: tea.KeyEsc})
	if _, ok := cp.Travelling(); ok || strings.Contains(m.View(), "TIME TRAVEL") {
		t.Fatalf("esc did not return to live:\n%s", m.View())
	}
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("2")})
	if strings.Contains(m.View(), "◀ shown in Cluster") {
		t.Fatalf("the timeline still marks the epoch after going live:\n%s", m.View())
	}
}
