// Package cluster is the console's cluster pane: a nodes table and a heatmap
// of every shard coloured by its leader, with a cursor that explains one
// shard and flashes shards whose leader just moved.
package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/key"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/views/history"
)

// flashFor is how long a shard whose leader moved stays highlighted.
const flashFor = 3 * time.Second

// Minimum size the pane can draw in.
const (
	MinWidth  = 40
	MinHeight = 8
)

// nodeInfo is what the pane knows about one node besides the view.
type nodeInfo struct {
	rtt    time.Duration
	err    error
	polled bool
	// askedAt is when the status poll still unanswered was sent (zero when
	// none is): past overdueAfter the RTT column says how long the node has
	// not answered instead of its last round trip.
	askedAt time.Time
	// hold is the vote the node's last answer says it holds (restarted
	// without its data, not caught up yet); zero after a failed poll.
	hold common.VoteHold
	// storage is what the node's last answer says about writing its Raft
	// log (a full disk: it leads nothing); zero after a failed poll.
	storage common.Storage
	// reportAt is when its last status report arrived (zero after a
	// failed poll).
	reportAt time.Time
	// answersDeadSince is when the node began answering the console's
	// polls while the cluster's view counts it dead (zero otherwise): cut
	// off from its peers (a network partition) but reachable from here.
	answersDeadSince time.Time
	// metaCutOff is why the node's last answer says its view is not kept
	// current (NodeStatus meta_cut_off: it has not heard the metadata
	// group's leader); "" when it hears one, after a failed poll, and from
	// servers without the field (the pane then infers it: cutOff).
	metaCutOff string
}

// cutOffAfter is how long a node must answer the console while the view
// counts it dead before the pane calls it cut off: a node just restarted
// answers some seconds before its peers count it alive again.
const cutOffAfter = 6 * time.Second

// overdueAfter is how long a status poll may go unanswered before the
// nodes table stops showing the node's previous round trip: a node on a
// LAN answers in milliseconds, and one ticks later (0.5-1 s) has not.
const overdueAfter = 500 * time.Millisecond

// rttCell is what the RTT column says about node id: its last round trip,
// "> 1.0s" while a poll is overdue, "timeout" or "unreach" after a failed
// poll, "-" when there is no measurement that still holds (never polled,
// or the console cannot reach it and it answered nothing since). d is the
// round trip (or the wait so far, when overdue) for sorting; ok is false
// without a current measurement.
func (m *Model) rttCell(id string) (text string, d time.Duration, ok bool) {
	info := m.nodes[id]
	if info == nil || !info.polled {
		if info != nil && m.overdue(info) {
			return m.overdueCell(info)
		}
		return "-", 0, false
	}
	switch {
	case m.overdue(info) && info.err == nil:
		// (after a failed poll the failure stays shown while the next one
		// waits: "> 1.0s" after "timeout" would read as progress)
		return m.overdueCell(info)
	case info.err != nil && errors.Is(info.err, context.DeadlineExceeded):
		return "timeout", 0, false
	case info.err != nil:
		return "unreach", 0, false
	}
	if n, found := m.view.Node(id); found && n.Unreachable {
		// The console's last answer is older than its judgement that the
		// node cannot be reached: that round trip no longer holds.
		return "-", 0, false
	}
	return common.FormatLatency(info.rtt), info.rtt, true
}

// overdueCell is the RTT cell of a node whose poll is overdue: how long it
// has not answered.
func (m *Model) overdueCell(info *nodeInfo) (text string, d time.Duration, ok bool) {
	w := m.now.Sub(info.askedAt)
	return "> " + common.FormatLatency(w.Truncate(100*time.Millisecond)), w, false
}

// overdue reports whether the node's status poll went unanswered past
// overdueAfter.
func (m *Model) overdue(info *nodeInfo) bool {
	return !info.askedAt.IsZero() && m.now.Sub(info.askedAt) >= overdueAfter
}

// Model is the cluster pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int

	view      *client.ClusterView                   // the view shown: live, or a past one when travelling
	live      *client.ClusterView                   // the newest view received
	liveSince time.Time                             // when live's epoch (or cluster) was first received
	hist      *history.History                      // past views, for time travel
	travel    *travel                               // nil when live
	nodeIndex map[string]int                        // node id -> colour/glyph index (ids of the shown and live views, n2 before n10)
	nodeIDs   []string                              // sorted
	leads     map[string]int                        // shards led per node
	groupOf   map[int]int                           // shard -> replication group, from node status
	groups    map[int]map[string]client.GroupStatus // group -> node -> its report
	nodes     map[string]*nodeInfo
	connected map[string]bool // node addresses with an open pool connection
	failing   map[string]bool // of those, the ones whose connection is failing

	flash map[int]time.Time // shard -> highlight until
	now   time.Time

	cursor     int
	filter     string
	sort       common.SortState
	byHealth   bool // heatmap coloured by the leader's health, not its identity
	tableFirst int  // first node row shown when the table scrolls

	reqID int
	route *shardRouteMsg
	// cellGeom remembers the last heatmap geometry for mouse clicks.
	geom heatGeom
}

// New returns the cluster pane.
func New(c common.Common) *Model {
	return &Model{
		common: c, keys: DefaultKeyMap(),
		nodeIndex: map[string]int{}, leads: map[string]int{}, groupOf: map[int]int{},
		groups: map[int]map[string]client.GroupStatus{},
		nodes:  map[string]*nodeInfo{}, connected: map[string]bool{}, flash: map[int]time.Time{},
		hist: history.New(history.MaxEpochs),
	}
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) { m.common.Styles = st }

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Cluster" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// SetFilter keeps only the nodes whose id, address or health contain text.
func (m *Model) SetFilter(text string) {
	m.filter = text
	m.layout()
}

// Cursor returns the selected shard.
func (m *Model) Cursor() int { return m.cursor }

// ClusterView returns the cluster view shown, nil before the first one.
func (m *Model) ClusterView() *client.ClusterView { return m.view }

// Flashing reports whether shard is highlighted as just moved (never while
// travelling: moves are live news).
func (m *Model) Flashing(shard int) bool {
	if m.travel != nil {
		return false
	}
	until, ok := m.flash[shard]
	return ok && m.now.Before(until)
}

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	g := m.common.Keys
	if m.travel != nil {
		return []key.Binding{g.Left, g.Right, g.Back}
	}
	return []key.Binding{g.Left, g.Right, m.common.WriteKey(m.keys.Transfer), m.keys.Trace}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	g := m.common.Keys
	return [][]key.Binding{{g.Left, g.Right, g.Up, g.Down, g.PageUp, g.PageDown, g.Home, g.End},
		{m.common.WriteKey(m.keys.Transfer), m.keys.Trace, m.keys.NextMove, m.keys.TableUp, m.keys.TableDown, m.keys.ColourBy}}
}

// totalShards is the number of shard cells to draw.
func (m *Model) totalShards() int {
	if m.view != nil && len(m.view.Shards) > 0 {
		return len(m.view.Shards)
	}
	return m.common.TotalShards
}

// setView adopts a new cluster view and recomputes what is derived from it.
func (m *Model) setView(v *client.ClusterView) {
	m.view = v
	m.nodeIDs = m.nodeIDs[:0]
	for _, n := range v.Nodes {
		m.nodeIDs = append(m.nodeIDs, n.ID)
	}
	sortIDs(m.nodeIDs)
	// Colours come from the live and shown views together, so a node keeps
	// its colour when travelling to an epoch it was not part of (or back).
	all := append([]string(nil), m.nodeIDs...)
	if m.live != nil && m.live != v {
		for _, n := range m.live.Nodes {
			if _, ok := v.Node(n.ID); !ok {
				all = append(all, n.ID)
			}
		}
		sortIDs(all)
	}
	m.nodeIndex = make(map[string]int, len(all))
	for i, id := range all {
		m.nodeIndex[id] = i
	}
	m.leads = make(map[string]int, len(m.nodeIDs))
	for _, s := range v.Shards {
		if l := s.Leader(); l != "" {
			m.leads[l]++
		}
	}
	if n := m.totalShards(); m.cursor >= n && n > 0 {
		m.cursor = n - 1
	}
}

// shard returns the view's info for shard id.
func (m *Model) shard(id int) (client.ShardInfo, bool) {
	if m.view == nil {
		return client.ShardInfo{}, false
	}
	if id < len(m.view.Shards) && m.view.Shards[id].ID == id {
		return m.view.Shards[id], true
	}
	for _, s := range m.view.Shards {
		if s.ID == id {
			return s, true
		}
	}
	return client.ShardInfo{}, false
}
