package cluster

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestTimeTravelIntoAReplacedClusterIsRefused: found in tmux after the
// cluster was wiped and started again with 32 shards instead of 64: an
// event from before the replacement (epoch 40) showed that epoch compared
// with the new cluster ("56 shards led elsewhere now", shards the new one
// lacks marked as moved, its groups under the old heatmap). Now the pane
// stays live and says why.
func TestTimeTravelIntoAReplacedClusterIsRefused(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 40)
	old := uitest.View(40, 3, 64, 4)
	old.ClusterID = "old-cluster"
	m.Update(common.TopologyMsg{At: t0, View: old})
	fresh := uitest.View(11, 3, 32, 4)
	fresh.ClusterID = "new-cluster"
	m.Update(common.TopologyMsg{At: t0.Add(time.Minute), View: fresh, Event: &client.TopologyEvent{PreviousEpoch: 40, CurrentEpoch: 11, Replaced: true, ClusterID: "new-cluster"}})
	cmd := m.Update(common.TimeTravelMsg{Epoch: 40, At: t0})
	if _, travelling := m.Travelling(); travelling {
		t.Fatalf("travelled into the replaced cluster:\n%s", m.View())
	}
	var said string
	var live bool
	if cmd != nil {
		msgs := []tea.Msg{cmd()}
		if b, ok := msgs[0].(tea.BatchMsg); ok {
			msgs = msgs[:0]
			for _, c := range b {
				msgs = append(msgs, c())
			}
		}
		for _, msg := range msgs {
			switch msg := msg.(type) {
			case common.ErrorMsg:
				said = msg.Err.Error()
			case common.TimeTravelMsg:
				live = msg.Live
			}
		}
	}
	if !strings.Contains(said, "epoch 40") || !strings.Contains(said, "replaced") || !live {
		t.Fatalf("refusal said %q (back to live %v)", said, live)
	}
	if v := m.View(); strings.Contains(v, "TIME TRAVEL") || strings.Contains(v, "led elsewhere now") {
		t.Fatalf("the pane shows a travel:\n%s", v)
	}
}
