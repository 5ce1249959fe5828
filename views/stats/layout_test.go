package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func manyOps(n int) client.Stats {
	s := client.Stats{Ops: map[string]client.OpStats{}}
	for i := 0; i < n; i++ {
		s.Ops[fmt.Sprintf("op%02d", i)] = client.OpStats{Calls: uint64(i + 1)}
	}
	return s
}

// With the table scrolled, a click selects the row drawn under it (the
// offset was computed in View and never stored: clicks hit row y-1 of the
// unscrolled table).
func TestClickOnAScrolledTableSelectsTheRowDrawn(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 16)
	m.Update(common.StatsMsg{At: t0, Stats: manyOps(20)})
	m.Update(common.StatsMsg{At: t0.Add(time.Second), Stats: manyOps(20)})
	for i := 0; i < 15; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	lines := strings.Split(m.View(), "\n")
	if strings.Contains(lines[1], "op00") {
		t.Fatalf("the table did not scroll:\n%s", m.View())
	}
	for y := 1; y < len(lines); y++ {
		f := strings.Fields(strings.TrimPrefix(lines[y], ">"))
		if len(f) == 0 || !strings.HasPrefix(f[0], "op") {
			break // past the rows
		}
		want := f[0]
		m.Update(tea.MouseMsg{X: 4, Y: y, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
		if got := m.Selected(); got != want {
			t.Fatalf("click on line %d (%q) selected %s, want %s", y, lines[y], got, want)
		}
	}
}

func TestViewIsPure(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 16)
	m.Update(common.StatsMsg{At: t0, Stats: manyOps(20)})
	m.Update(common.StatsMsg{At: t0.Add(time.Second), Stats: manyOps(20)})
	for i := 0; i < 15; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	uitest.RequirePureView(t, m, m.View)
}
