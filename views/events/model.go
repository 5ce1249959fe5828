// Package events is the console's topology timeline: every epoch change seen
// during the session, newest first, with shard leader moves grouped by
// (from, to) node.
package events

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Minimum size the pane can draw in.
const (
	MinWidth  = 30
	MinHeight = 3
)

// Move is a set of shards whose leader moved between the same two nodes.
type Move struct {
	From, To string // "" means no leader
	Shards   []int  // ascending
}

// Entry is one topology change in the timeline.
type Entry struct {
	At            time.Time
	PrevEpoch     uint64
	Epoch         uint64
	Initial       bool // the first view after connecting
	Replaced      bool // a different cluster answers now (restarted without its data, another cluster)
	ClusterID     string
	Nodes, Shards int // sizes of the view, for the initial entry
	Added         []string
	Removed       []string
	Health        []string // "n2 alive -> dead"
	Moves         []Move
	// Note is news about a node that is not a topology change (a node
	// holding its vote); the entry has only it, at the epoch shown.
	Note string
}

// Model is the events pane.
type Model struct {
	common common.Common
	keys   *KeyMap
	width  int
	height int

	last *client.ClusterView
	// holding: the nodes whose last status answer held their vote (the
	// timeline says when that starts and when it ends, once each).
	holding map[string]bool
	// storage: the nodes whose last status answer said they cannot write
	// their Raft log (a full disk); noted when it starts and ends, once each.
	storage map[string]bool
	// slow: each node's "no answer" spells counted in one entry (slow.go).
	slow    map[string]*slowRun
	entries ring
	shown   []Entry // the entries matching the filter, newest first
	// shownSeq: each shown entry's number in the ring (ring.at), to keep
	// the user's place when an entry moves (bump).
	shownSeq []uint64
	filter   string
	cursor   int // index into the filtered entries
	top      int // first filtered entry shown
	// shown in the cluster pane (time travel): the entry's epoch and time;
	// zero when live.
	travelEpoch uint64
	travelAt    time.Time
}

// New returns the events pane.
func New(c common.Common) *Model {
	return &Model{common: c, keys: DefaultKeyMap(), entries: newRing(MaxEntries), holding: map[string]bool{}, storage: map[string]bool{}, slow: map[string]*slowRun{}}
}

// SetStyles implements common.Styler.
func (m *Model) SetStyles(st *themes.Styles) { m.common.Styles = st }

// Keys returns the pane's key map, for rebinding.
func (m *Model) Keys() *KeyMap { return m.keys }

// MinSize implements common.MinSizer: the smallest area the pane draws in.
func (m *Model) MinSize() (width, height int) { return MinWidth, MinHeight }

// Title implements common.Pane.
func (m *Model) Title() string { return "Events" }

// SetSize implements common.Pane.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.layout()
}

// SetFilter keeps the entries whose text contains text.
func (m *Model) SetFilter(text string) {
	m.filter = text
	m.cursor, m.top = 0, 0
	m.refilter()
}

// Entries returns the timeline, newest first.
func (m *Model) Entries() []Entry { return m.entries.newestFirst() }

// Dropped returns how many old events the capped timeline let go.
func (m *Model) Dropped() int { return m.entries.dropped }

// ShortHelp implements help.KeyMap.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.common.Keys.Up, m.common.Keys.Down, m.keys.Travel, m.keys.Clear}
}

// FullHelp implements help.KeyMap.
func (m *Model) FullHelp() [][]key.Binding {
	g := m.common.Keys
	return [][]key.Binding{{g.Up, g.Down, g.PageUp, g.PageDown, g.Home, g.End}, {m.keys.Travel, m.keys.Clear}}
}

// Actions implements common.Pane: show the cluster at the selected epoch.
func (m *Model) Actions() []common.Action {
	if m.cursor >= len(m.shown) {
		return nil
	}
	e := m.shown[m.cursor]
	return []common.Action{{
		Title: fmt.Sprintf("Show the cluster at epoch %d (time travel)", e.Epoch),
		Help:  "the cluster pane shows the heatmap and nodes as they were at the selected event; esc returns to live",
		Keys:  m.keys.Travel.Help().Key,
		Run:   func(string) tea.Cmd { return travelTo(e) },
	}}
}

// travelTo asks the cluster pane to show entry e's epoch, and the root to
// show the cluster pane.
func travelTo(e Entry) tea.Cmd {
	at := e.At
	if e.Note != "" {
		at = time.Time{} // a note is not a view: the newest one of its epoch
	}
	return tea.Batch(common.MsgCmd(common.TimeTravelMsg{Epoch: e.Epoch, At: at}),
		common.MsgCmd(common.SwitchPaneMsg{Title: "Cluster"}))
}

// entryFrom builds the timeline entry of one view change; prev may be nil.
// The role changes of the nodes in spells ("no answer" spells, slow.go)
// are left out: the nodes' slow runs count them.
func entryFrom(at time.Time, prev, cur *client.ClusterView, ev *client.TopologyEvent, spells map[string]bool) Entry {
	e := Entry{At: at, Epoch: cur.Epoch, Nodes: len(cur.Nodes), Shards: len(cur.Shards)}
	if ev == nil {
		e.Initial = true
		e.Health = unreachableIn(cur, nil)
		return e
	}
	e.PrevEpoch = ev.PreviousEpoch
	if ev.Replaced {
		// Another cluster: comparing its view with the old one's means
		// nothing (its epochs start over), so say what answers now.
		e.Replaced, e.ClusterID = true, ev.ClusterID
		e.Health = unreachableIn(cur, nil)
		return e
	}
	e.Added = append(e.Added, ev.AddedNodes...)
	e.Removed = append(e.Removed, ev.RemovedNodes...)
	if prev != nil {
		for _, n := range cur.Nodes {
			old, ok := prev.Node(n.ID)
			switch {
			case !ok:
				e.Health = append(e.Health, unreachableIn(cur, []string{n.ID})...)
			case spells[n.ID]:
			case old.Role != n.Role:
				e.Health = append(e.Health, fmt.Sprintf("%s %s -> %s", n.ID, old.Role, n.Role))
			// The console's own reach changed under a role the cluster
			// keeps (a dead node answering it again): say so.
			case old.Unreachable && !n.Unreachable:
				e.Health = append(e.Health, fmt.Sprintf("%s reachable again (the cluster says %s)", n.ID, n.Role))
			case !old.Unreachable && n.Unreachable:
				e.Health = append(e.Health, fmt.Sprintf("%s unreachable from the console (the cluster says %s)", n.ID, n.Role))
			}
		}
	}
	groups := map[[2]string][]int{}
	for s, to := range ev.LeaderChanges {
		from := ""
		if prev != nil && int(s) < len(prev.Shards) {
			from = prev.Shards[s].Leader()
		}
		k := [2]string{from, to}
		groups[k] = append(groups[k], int(s))
	}
	for k, shards := range groups {
		sort.Ints(shards)
		e.Moves = append(e.Moves, Move{From: k[0], To: k[1], Shards: shards})
	}
	sort.Slice(e.Moves, func(i, j int) bool {
		a, b := e.Moves[i], e.Moves[j]
		if len(a.Shards) != len(b.Shards) {
			return len(a.Shards) > len(b.Shards)
		}
		return a.From+a.To < b.From+b.To
	})
	return e
}

// empty reports whether e, a change within an epoch, says nothing: its
// only changes were "no answer" spells, which the slow runs count.
func (e Entry) empty() bool {
	return !e.Initial && !e.Replaced && e.Note == "" && e.PrevEpoch == e.Epoch &&
		len(e.Added)+len(e.Removed)+len(e.Health)+len(e.Moves) == 0
}

// unreachableIn says which of the view's nodes (only those of ids, when
// given) the console cannot reach: a view that shows a node for the first
// time (the first view, a replacing cluster's, an added node) says so, or
// its "reachable again" later would follow no loss.
func unreachableIn(v *client.ClusterView, ids []string) []string {
	var out []string
	for _, n := range v.Nodes {
		if n.Unreachable && (ids == nil || slices.Contains(ids, n.ID)) {
			out = append(out, fmt.Sprintf("%s unreachable from the console (the cluster says %s)", n.ID, n.Role))
		}
	}
	return out
}

// noteEntry is a timeline entry for news about a node at the epoch shown.
func noteEntry(at time.Time, epoch uint64, text string) Entry {
	return Entry{At: at, PrevEpoch: epoch, Epoch: epoch, Note: text}
}

// lines renders an entry as its text lines (unstyled), header first.
func (e Entry) lines() []string {
	head := e.At.Format("15:04:05") + "  "
	indent := func(first string) []string {
		out := []string{first}
		for _, d := range e.Health {
			out = append(out, strings.Repeat(" ", 10)+d)
		}
		return out
	}
	if e.Note != "" {
		return []string{head + fmt.Sprintf("epoch %d  %s", e.Epoch, e.Note)}
	}
	if e.Initial {
		return indent(head + fmt.Sprintf("epoch %d  first view: %d nodes, %d shards", e.Epoch, e.Nodes, e.Shards))
	}
	head += fmt.Sprintf("epoch %d -> %d", e.PrevEpoch, e.Epoch)
	if e.Replaced {
		what := "cluster replaced"
		if e.ClusterID != "" {
			what += " (id " + e.ClusterID + ")"
		}
		return indent(head + fmt.Sprintf("  %s: now %d nodes, %d shards", what, e.Nodes, e.Shards))
	}
	var details []string
	if len(e.Added) > 0 {
		details = append(details, "nodes added: "+strings.Join(e.Added, " "))
	}
	if len(e.Removed) > 0 {
		details = append(details, "nodes removed: "+strings.Join(e.Removed, " "))
	}
	details = append(details, e.Health...)
	for _, mv := range e.Moves {
		details = append(details, mv.String())
	}
	if len(details) == 0 {
		return []string{head + "  (no visible change)"}
	}
	out := []string{head + "  " + details[0]}
	for _, d := range details[1:] {
		out = append(out, strings.Repeat(" ", 10)+d)
	}
	return out
}

// String renders a move: "16 shards n2 -> n1 (64-79)".
func (mv Move) String() string {
	what := fmt.Sprintf("%d shards", len(mv.Shards))
	if len(mv.Shards) == 1 {
		what = fmt.Sprintf("shard %d", mv.Shards[0])
	}
	s := fmt.Sprintf("%s %s -> %s", what, orNone(mv.From), orNone(mv.To))
	if r := ranges(mv.Shards); len(mv.Shards) > 1 && len(r) <= 3 {
		s += " (" + strings.Join(r, ", ") + ")"
	}
	return s
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}

// ranges compresses ascending shard ids into "a-b" ranges.
func ranges(ids []int) []string {
	var out []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if i == j {
			out = append(out, fmt.Sprint(ids[i]))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", ids[i], ids[j]))
		}
		i = j + 1
	}
	return out
}
