package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// feed sends a first view, a group move, a node going suspect with moves,
// and a node removal.
func feed(m *Model) {
	v := uitest.View(7, 3, 1024, 16)
	m.Update(common.TopologyMsg{At: t0, View: v})
	v2, ev := uitest.MoveGroup(v, 16, 1, "n1")
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v2, Event: ev})
	v3, ev3 := uitest.MoveGroup(v2, 16, 4, "n3")
	v3.Nodes = append([]client.ClusterNode(nil), v3.Nodes...)
	v3.Nodes[1].Role = "suspect"
	m.Update(common.TopologyMsg{At: t0.Add(2 * time.Second), View: v3, Event: ev3})
	v4 := &client.ClusterView{Epoch: v3.Epoch + 1, Nodes: v3.Nodes, Shards: v3.Shards}
	m.Update(common.TopologyMsg{At: t0.Add(3 * time.Second), View: v4,
		Event: &client.TopologyEvent{PreviousEpoch: v3.Epoch, CurrentEpoch: v4.Epoch, AddedNodes: []string{"n4"}, LeaderChanges: map[uint32]string{5: "", 900: "n2"}}})
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := New(uitest.Common())
			m.SetSize(sz[0], sz[1])
			feed(m)
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

func TestGroupsMovesNewestFirst(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	feed(m)
	es := m.Entries()
	if len(es) != 4 || !es[3].Initial || es[0].Epoch != 10 {
		t.Fatalf("entries = %+v", es)
	}
	mv := es[2].Moves
	if len(mv) != 1 || mv[0].From != "n2" || mv[0].To != "n1" || len(mv[0].Shards) != 64 {
		t.Fatalf("moves of the group transfer = %+v", mv)
	}
	if got := mv[0].String(); got != "64 shards n2 -> n1 (64-127)" {
		t.Errorf("move text = %q", got)
	}
	if h := es[1].Health; len(h) != 1 || h[0] != "n2 alive -> suspect" {
		t.Errorf("health = %v", h)
	}
}

func TestNavigationFilterAndClear(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	feed(m)
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	if m.cursor != 2 {
		t.Fatalf("cursor = %d, want 2", m.cursor)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if m.cursor != 3 {
		t.Fatalf("end: cursor = %d, want 3", m.cursor)
	}
	m.SetFilter("suspect")
	if n := len(m.visible()); n != 1 {
		t.Fatalf("filter suspect: %d entries, want 1", n)
	}
	if !strings.Contains(m.View(), "n2 alive -> suspect") {
		t.Errorf("filtered view lacks the entry:\n%s", m.View())
	}
	m.SetFilter("")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	if len(m.Entries()) != 0 {
		t.Errorf("clear left %d entries", len(m.Entries()))
	}
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		m := New(uitest.Common())
		m.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
		feed(m)
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}
