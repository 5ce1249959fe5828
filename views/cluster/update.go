package cluster

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/ops"
)

// Init implements common.Pane.
func (m *Model) Init() tea.Cmd { return nil }

// Update implements common.Pane. Data messages arrive whether or not the pane
// is shown; keys and mouse only when it is active.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.layout() // View only draws: the geometry clicks use is fixed here
	return cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.TopologyMsg:
		return m.onTopology(msg)
	case common.NodeStatusMsg:
		m.onNodeStatus(msg)
	case common.PollsSentMsg:
		for _, id := range msg.NodeIDs {
			n := m.nodes[id]
			if n == nil {
				n = &nodeInfo{}
				m.nodes[id] = n
			}
			if n.askedAt.IsZero() { // the oldest unanswered poll counts
				n.askedAt = msg.At
			}
		}
	case common.StatsMsg:
		m.connected = make(map[string]bool, len(msg.Stats.Pool.Addrs))
		for _, a := range msg.Stats.Pool.Addrs {
			m.connected[a] = true
		}
		m.failing = make(map[string]bool, len(msg.Stats.Pool.Failing))
		for _, a := range msg.Stats.Pool.Failing {
			m.failing[a] = true
		}
	case common.TickMsg:
		m.now = msg.At
		for s, until := range m.flash {
			if !m.now.Before(until) {
				delete(m.flash, s)
			}
		}
	case common.TimeTravelMsg:
		return m.onTravel(msg)
	case shardRouteMsg:
		if msg.reqID == m.reqID {
			m.route = &msg
		}
	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	}
	return nil
}

func (m *Model) onTopology(msg common.TopologyMsg) tea.Cmd {
	if msg.View == nil {
		return nil
	}
	if m.now.Before(msg.At) {
		m.now = msg.At
	}
	if msg.Event != nil && msg.Event.Replaced {
		m.forgetCluster()
	}
	m.hist.Add(msg.At, msg.View)
	if m.live == nil || m.live.Epoch != msg.View.Epoch || (msg.Event != nil && msg.Event.Replaced) {
		m.liveSince = msg.At
	}
	m.live = msg.View
	m.forgetNodesOutside(msg.View)
	if msg.Event != nil {
		for s := range msg.Event.LeaderChanges {
			m.flash[int(s)] = msg.At.Add(flashFor)
		}
	}
	if m.travel != nil { // the past stays shown; what differs from now changed
		m.setView(m.view)
		m.diffToNow()
		return m.historyMsg()
	}
	m.setView(msg.View)
	return tea.Batch(m.lookupRoute(), m.historyMsg())
}

func (m *Model) onNodeStatus(msg common.NodeStatusMsg) {
	if _, ok := m.live.Node(msg.NodeID); m.live != nil && !ok {
		return // a node the current view does not have (left, or a poll of the cluster before)
	}
	n := m.nodes[msg.NodeID]
	if n == nil {
		n = &nodeInfo{}
		m.nodes[msg.NodeID] = n
	}
	n.polled, n.err, n.askedAt = true, msg.Err, time.Time{}
	n.hold, n.storage, n.reportAt = common.VoteHoldOf(msg.Status), common.StorageOf(msg.Status), time.Time{}
	n.metaCutOff = ""
	if msg.Err == nil && msg.Status != nil {
		n.reportAt, n.metaCutOff = msg.At, msg.Status.MetaCutOff
	}
	if ln, ok := m.live.Node(msg.NodeID); ok && ln.Role == "dead" && msg.Err == nil {
		if n.answersDeadSince.IsZero() {
			n.answersDeadSince = msg.At
		}
	} else {
		n.answersDeadSince = time.Time{}
	}
	m.setNodeGroups(msg.NodeID, msg.Status)
	if msg.Err != nil {
		return
	}
	n.rtt = msg.RTT
	if msg.Status == nil { // an answer without a status still timed the node
		return
	}
	for _, g := range msg.Status.Groups {
		for _, s := range g.Shards {
			m.groupOf[s] = g.GroupID
		}
	}
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	g := m.common.Keys
	total := m.totalShards()
	cols := m.geom.cols
	if cols <= 0 {
		cols = 64
	}
	page := cols * max(m.geom.rows, 1)
	switch {
	case key.Matches(msg, g.Left):
		return m.moveCursor(-1)
	case key.Matches(msg, g.Right):
		return m.moveCursor(1)
	case key.Matches(msg, g.Up):
		return m.moveCursor(-cols)
	case key.Matches(msg, g.Down):
		return m.moveCursor(cols)
	case key.Matches(msg, g.PageUp):
		return m.moveCursor(-page)
	case key.Matches(msg, g.PageDown):
		return m.moveCursor(page)
	case key.Matches(msg, g.Home):
		return m.moveCursor(-total)
	case key.Matches(msg, g.End):
		return m.moveCursor(total)
	case key.Matches(msg, m.keys.ColourBy):
		m.byHealth = !m.byHealth
	case key.Matches(msg, m.keys.TableUp):
		m.tableFirst = max(0, m.tableFirst-max(1, len(m.geom.tableNodes)-1))
	case key.Matches(msg, m.keys.TableDown):
		m.tableFirst += max(1, len(m.geom.tableNodes)-1)
	case key.Matches(msg, m.keys.Transfer):
		if m.travel != nil {
			return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("the pane shows epoch %d of the past: esc returns to the live view, then move leaders", m.travel.epoch)})
		}
		if m.common.ReadOnly { // refused before the confirmation
			return common.Refuse("move a shard's leader", common.ErrReadOnly)
		}
		a, err := m.transferAction()
		if err != nil {
			return common.MsgCmd(common.ErrorMsg{Err: err})
		}
		return common.MsgCmd(common.RunActionMsg{Action: a})
	case key.Matches(msg, m.keys.NextMove):
		return m.nextFlashing()
	case key.Matches(msg, m.keys.Trace):
		return common.MsgCmd(common.TraceKeyMsg{Key: probeKey(m.cursor, total)})
	}
	return nil
}

// moveCursor moves the shard cursor by delta, clamped, and looks up the
// client's cache for the new shard.
func (m *Model) moveCursor(delta int) tea.Cmd {
	total := m.totalShards()
	if total == 0 {
		return nil
	}
	m.cursor = clamp(m.cursor+delta, 0, total-1)
	return m.lookupRoute()
}

func (m *Model) nextFlashing() tea.Cmd {
	total := m.totalShards()
	for i := 1; i <= total; i++ {
		s := (m.cursor + i) % total
		if m.Flashing(s) {
			m.cursor = s
			return m.lookupRoute()
		}
	}
	return nil
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return m.moveCursor(-max(m.geom.cols, 1))
	case tea.MouseButtonWheelDown:
		return m.moveCursor(max(m.geom.cols, 1))
	case tea.MouseButtonLeft:
		if msg.Action != tea.MouseActionPress {
			return nil
		}
		if s, ok := m.geom.shardAt(msg.X, msg.Y); ok && s < m.totalShards() {
			m.cursor = s
			return m.lookupRoute()
		}
		if row := msg.Y - m.geom.tableTop; row >= 0 && row < len(m.geom.tableNodes) {
			return m.jumpToNode(m.geom.tableNodes[row])
		}
	}
	return nil
}

// jumpToNode moves the cursor to the next shard led by node id.
func (m *Model) jumpToNode(id string) tea.Cmd {
	if m.view == nil {
		return nil
	}
	total := len(m.view.Shards)
	for i := 1; i <= total; i++ {
		s := (m.cursor + i) % total
		if sh, ok := m.shard(s); ok && sh.Leader() == id {
			m.cursor = s
			return m.lookupRoute()
		}
	}
	return nil
}

// lookupRoute asks the client's leader cache about the cursor's shard, off
// the update loop.
func (m *Model) lookupRoute() tea.Cmd {
	c := m.common.Backend()
	if c == nil {
		return nil
	}
	m.reqID++
	id, shard, total := m.reqID, m.cursor, m.totalShards()
	return func() tea.Msg {
		return shardRouteMsg{reqID: id, shard: shard, route: c.Route([]byte(probeKey(shard, total)))}
	}
}

// probeKey returns a key that routes to shard, so the client's per-key Route
// can report the leader cache for a shard.
func probeKey(shard, total int) string {
	if total <= 0 {
		return ""
	}
	for i := 0; i < 1<<20; i++ {
		k := fmt.Sprintf("shard-%d-probe-%d", shard, i)
		if client.ShardForKey([]byte(k), total) == shard {
			return k
		}
	}
	return ""
}

// Actions implements common.Pane: move the cursor shard's leader to each
// other replica.
func (m *Model) Actions() []common.Action {
	if m.travel != nil { // the past is read-only: only the way back
		return []common.Action{{
			Title: fmt.Sprintf("Back to the live view (leave epoch %d)", m.travel.epoch),
			Help:  "stop time travelling: the cluster pane shows the newest view again",
			Keys:  "esc",
			// The root broadcasts it: this pane and the timeline go live.
			Run: func(string) tea.Cmd { return common.MsgCmd(common.TimeTravelMsg{Live: true}) },
		}}
	}
	sh, ok := m.shard(m.cursor)
	if !ok {
		return nil
	}
	var out []common.Action
	leader := sh.Leader()
	for _, r := range sh.Replicas {
		if r.NodeID == leader {
			continue
		}
		a := m.transferTo(sh.ID, r.NodeID)
		if why := m.downReason(r.NodeID); why != "" && a.Disabled == nil {
			a.Disabled = fmt.Errorf("%s is %s: it cannot take the lead", r.NodeID, why)
		}
		out = append(out, a)
	}
	return out
}

// transferAction is `t`: a move to the replica after the leader that can
// take the lead (repeated presses rotate). Replicas that are down are
// skipped: a move to a paused node waits the whole timeout and fails. The
// error, when no replica is left, names each one's state.
func (m *Model) transferAction() (common.Action, error) {
	sh, ok := m.shard(m.cursor)
	if !ok || len(sh.Replicas) < 2 {
		return common.Action{}, fmt.Errorf("shard %d has no other replica to move its leader to", m.cursor)
	}
	leader := sh.Leader()
	start := 0
	for i, r := range sh.Replicas {
		if r.NodeID == leader {
			start = i + 1
		}
	}
	var down []string
	for k := 0; k < len(sh.Replicas); k++ {
		target := sh.Replicas[(start+k)%len(sh.Replicas)].NodeID
		if target == leader {
			continue
		}
		if why := m.downReason(target); why != "" {
			down = append(down, target+" "+why)
			continue
		}
		return m.transferTo(sh.ID, target), nil
	}
	if len(down) == 0 {
		return common.Action{}, fmt.Errorf("shard %d has no other replica to move its leader to", m.cursor)
	}
	return common.Action{}, fmt.Errorf("shard %d: no other replica can take the lead (%s); wait until one is alive again", sh.ID, strings.Join(down, ", "))
}

// downReason says why node id cannot take a shard's lead ("dead",
// "suspect", "unreachable"), or "" when it can.
func (m *Model) downReason(id string) string {
	if m.view == nil {
		return ""
	}
	n, ok := m.view.Node(id)
	switch {
	case !ok:
		return "not in the cluster view"
	case n.Unreachable:
		return "unreachable"
	case n.Role != "alive":
		return n.Role
	}
	return ""
}

func (m *Model) transferTo(shard int, target string) common.Action {
	c := m.common
	return c.WriteAction(common.Action{
		Title:   fmt.Sprintf("Move leader of shard %d to %s", shard, target),
		Help:    "transfer leadership of the selected shard (its whole group moves)",
		Keys:    m.keys.Transfer.Help().Key,
		Confirm: fmt.Sprintf("Move the leader of shard %d (and its group) to %s?", shard, target),
		Run:     func(string) tea.Cmd { return ops.TransferLeader(c, shard, target) },
	})
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
