package cluster

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/uitest"
)

// View draws only: the heatmap geometry clicks use is fixed by Update and
// SetSize (it was written inside View).
func TestViewIsPure(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {60, 14}} {
		m := newPane(sz[0], sz[1])
		for i := 0; i < 40; i++ {
			m.Update(tea.KeyMsg{Type: tea.KeyDown})
		}
		uitest.RequirePureView(t, m, m.View)
	}
}
