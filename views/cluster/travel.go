package cluster

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// travel is the past epoch the pane shows instead of the live view, and how
// it differs from now.
type travel struct {
	epoch   uint64
	at      time.Time
	changed []bool         // shard -> its leader then is not its leader now
	moved   int            // shards whose leader differs from now
	leads   map[string]int // shards led per node now
}

// Travelling reports whether the pane shows a past epoch, and which.
func (m *Model) Travelling() (uint64, bool) {
	if m.travel == nil {
		return 0, false
	}
	return m.travel.epoch, true
}

// onTravel shows the view of a past epoch from the history, or the live
// view again.
func (m *Model) onTravel(msg common.TimeTravelMsg) tea.Cmd {
	if msg.Live {
		m.endTravel()
		return nil
	}
	v, at, ok := m.hist.Find(msg.Epoch, msg.At)
	if !ok {
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf(
			"epoch %d is no longer in the history (the cluster pane keeps the last %d views): pick a newer event", msg.Epoch, m.hist.Len())})
	}
	if m.live != nil && v.ClusterID != m.live.ClusterID {
		// Found in tmux: an event from before a replacement showed the old
		// cluster's epoch compared with the new one ("56 shards led
		// elsewhere now", shards the new cluster lacks marked moved, its
		// groups under the old heatmap).
		return tea.Batch(common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf(
			"epoch %d (%s) was the cluster replaced since (id %s; now %s): time travel shows the cluster shown now only",
			v.Epoch, at.Format("15:04:05"), idOrNone(v.ClusterID), idOrNone(m.live.ClusterID))}),
			common.MsgCmd(common.TimeTravelMsg{Live: true}))
	}
	m.travel = &travel{epoch: v.Epoch, at: at}
	m.setView(v)
	m.diffToNow()
	return m.lookupRoute()
}

// endTravel goes back to the live view.
func (m *Model) endTravel() {
	if m.travel == nil {
		return
	}
	m.travel = nil
	if m.live != nil {
		m.setView(m.live)
	}
}

// Back implements common.BackHandler: esc while travelling returns to live
// and tells the timeline so.
func (m *Model) Back() (bool, tea.Cmd) {
	if m.travel == nil {
		return false, nil
	}
	m.endTravel()
	m.layout()
	return true, common.MsgCmd(common.TimeTravelMsg{Live: true})
}

// diffToNow marks the shards whose leader at the shown epoch differs from
// the live view's.
func (m *Model) diffToNow() {
	t := m.travel
	if t == nil || m.view == nil {
		return
	}
	t.changed = make([]bool, len(m.view.Shards))
	t.moved = 0
	t.leads = map[string]int{}
	if m.live != nil {
		for _, s := range m.live.Shards {
			if l := s.Leader(); l != "" {
				t.leads[l]++
			}
		}
	}
	for i, sh := range m.view.Shards {
		if m.liveLeader(sh.ID) != sh.Leader() {
			t.changed[i] = true
			t.moved++
		}
	}
}

// liveLeader returns the leader of shard id in the live view.
func (m *Model) liveLeader(id int) string {
	if m.live == nil {
		return ""
	}
	if id < len(m.live.Shards) && m.live.Shards[id].ID == id {
		return m.live.Shards[id].Leader()
	}
	for _, s := range m.live.Shards {
		if s.ID == id {
			return s.Leader()
		}
	}
	return ""
}

// changedNow reports whether shard s's leader then differs from now.
func (m *Model) changedNow(s int) bool {
	t := m.travel
	return t != nil && s < len(t.changed) && t.changed[s]
}

// nowColumn says how a node differs now from the shown epoch.
func (m *Model) nowColumn(id string, then client.ClusterNode) (string, bool) {
	if m.live == nil {
		return "", false
	}
	n, ok := m.live.Node(id)
	if !ok {
		return "removed since", true
	}
	leads := m.travel.leads[id]
	var out string
	if n.Role != then.Role {
		out = "now " + n.Role
	}
	if leads != m.leads[id] {
		if out == "" {
			out = "now"
		} else {
			out += ","
		}
		out += fmt.Sprintf(" %d leads (%+d)", leads, leads-m.leads[id])
	}
	if out == "" {
		return "same now", false
	}
	return out, true
}

// historyMsg reports the history's size for the stats pane.
func (m *Model) historyMsg() tea.Cmd {
	h := common.HistoryMsg{Epochs: m.hist.Len(), Dropped: m.hist.Dropped(), Bytes: m.hist.Bytes()}
	return common.MsgCmd(h)
}

// idOrNone names a cluster id for a message.
func idOrNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}
