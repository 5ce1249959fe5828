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

// A replaced cluster (restarted without its data, another cluster behind
// the address) is said so, not "(no visible change)".
func TestReplacedClusterIsShown(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 10)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(40, 3, 1024, 16)})
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: uitest.View(2, 5, 1024, 16),
		Event: &client.TopologyEvent{PreviousEpoch: 40, CurrentEpoch: 2, Replaced: true, ClusterID: "c-7f3a", LeaderChanges: map[uint32]string{}}})
	v := m.View()
	if strings.Contains(v, "no visible change") || !strings.Contains(v, "epoch 40 -> 2  cluster replaced (id c-7f3a): now 5 nodes, 1024 shards") {
		t.Fatalf("replaced cluster not shown:\n%s", v)
	}
}

// enter on an event asks the cluster pane to show that epoch and the root
// to switch to it; the timeline marks the epoch shown until live again.
func TestEnterTravelsToTheSelectedEpoch(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(100, 24)
	feed(m)
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("enter sent nothing")
	}
	var travel *common.TimeTravelMsg
	switched := false
	for _, c := range cmd().(tea.BatchMsg) {
		switch msg := c().(type) {
		case common.TimeTravelMsg:
			travel = &msg
		case common.SwitchPaneMsg:
			switched = msg.Title == "Cluster"
		}
	}
	sel := m.Entries()[1]
	if travel == nil || travel.Epoch != sel.Epoch || !travel.At.Equal(sel.At) || !switched {
		t.Fatalf("enter sent travel %+v, switch %v; want epoch %d and the Cluster pane", travel, switched, sel.Epoch)
	}
	m.Update(*travel) // the root broadcasts it back
	if !strings.Contains(m.View(), "◀ shown in Cluster") {
		t.Fatalf("the epoch shown is not marked:\n%s", m.View())
	}
	m.Update(common.TimeTravelMsg{Live: true})
	if strings.Contains(m.View(), "◀ shown in Cluster") {
		t.Fatalf("still marked after going live:\n%s", m.View())
	}
	if a := m.Actions(); len(a) != 1 || !strings.Contains(a[0].Title, "time travel") {
		t.Fatalf("palette actions = %+v", a)
	}
}

// The timeline with a replaced cluster and the epoch shown in the cluster
// pane marked, at 80x24 and 200x60.
func TestGoldenTravelAndReplaced(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := New(uitest.Common())
			m.SetSize(sz[0], sz[1])
			feed(m)
			m.Update(common.TopologyMsg{At: t0.Add(4 * time.Second), View: uitest.View(2, 5, 1024, 16),
				Event: &client.TopologyEvent{PreviousEpoch: 10, CurrentEpoch: 2, Replaced: true, LeaderChanges: map[uint32]string{}}})
			e := m.Entries()[2]
			m.Update(common.TimeTravelMsg{Epoch: e.Epoch, At: e.At})
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}
