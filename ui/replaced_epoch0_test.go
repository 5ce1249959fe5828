package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestNewClustersFirstLeadersAreNotAFirstView: a cluster replaced behind
// the same addresses is first shown at epoch 0, before its groups elected
// leaders; its next view (epoch 6) comes with an event from epoch 0. The
// Events pane read "epoch 6  first view: 3 nodes, 256 shards" just after
// "epoch 6 -> 0  cluster replaced" (seen in tmux, 3 serve processes killed,
// wiped and restarted), and the heatmap did not flash the shards that got
// a leader. It is the change from the epoch-0 view shown.
func TestNewClustersFirstLeadersAreNotAFirstView(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	old := m.ClusterView()
	empty := uitest.View(0, 3, 1024, 16)
	for i := range empty.Shards {
		empty.Shards[i].Replicas = nil
	}
	empty.ClusterID = "new"
	send(m, common.TopologyMsg{At: t0.Add(time.Second), View: empty,
		Event: &client.TopologyEvent{PreviousEpoch: old.Epoch, CurrentEpoch: 0, Replaced: true, ClusterID: "new", LeaderChanges: map[uint32]string{}}})
	led := uitest.View(6, 3, 1024, 16)
	led.ClusterID = "new"
	changes := map[uint32]string{}
	for _, s := range led.Shards {
		changes[uint32(s.ID)] = s.Leader()
	}
	send(m, common.TopologyMsg{At: t0.Add(2 * time.Second), View: led,
		Event: &client.TopologyEvent{PreviousEpoch: 0, CurrentEpoch: 6, ClusterID: "new", LeaderChanges: changes}})
	if m.ClusterView().Epoch != 6 {
		t.Fatalf("epoch shown %d, want 6", m.ClusterView().Epoch)
	}
	send(m, press("2"))
	v := m.View()
	if strings.Contains(v, "epoch 6  first view") || !strings.Contains(v, "epoch 0 -> 6") {
		t.Fatalf("the new cluster's first leaders shown as a first view:\n%s", v)
	}
}
