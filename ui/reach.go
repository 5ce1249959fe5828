package ui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/feed"
)

// Honest status: the cluster's view says which nodes the cluster thinks are
// alive, but a console that cannot reach them must not show them as alive.
// The root merges what the client knows (unreachable nodes in its stats, the
// status polls) into the view it gives the panes: such nodes get the role
// "unreachable" and no open connection. After every node was lost, the
// header stays "reconnecting" until a live view arrives (the client received
// a view again), so an old topology is never shown as connected.

// RoleUnreachable is the role the panes see for a node the console cannot
// reach that the cluster last called alive.
const RoleUnreachable = "unreachable"

// RoleNotAnswering is the role the panes see for a node the cluster calls
// alive whose status poll has gone unanswered for unansweredAfter: it may
// be hung (SIGSTOP, a stuck machine) or only slow (a saturated machine);
// the console cannot tell yet, so it does not call it alive, nor
// unreachable (its connection is kept and no note is logged). Its poll
// failing makes it unreachable; its answer makes it alive again.
const RoleNotAnswering = "no answer"

// unansweredAfter is how long a node's status poll may go unanswered
// before the node is shown not answering. Status polls answer in a few
// milliseconds on one machine or a LAN and in tens across regions; a poll
// fails at feed.PollTimeout (1.5 s). With a poll every second (pollGap), a
// node that stops answering leaves the alive count within 1.5 s; the
// Cluster pane's RTT column marks the same polls overdue ("> 0.5s"). On a
// saturated machine an answer may take longer than this: the node is then
// "not answering" until it does, which is what happened, not "unreachable".
const unansweredAfter = 500 * time.Millisecond

// pollGap is the least time between two status polls of a node: each tick
// at the default refresh (1 s), every other at 500ms. A node is asked
// again only once its last poll was answered or failed (judged as it
// comes): a hung node does not hold back the polls of the others.
const pollGap = 900 * time.Millisecond

// reach is what the root knows about reaching the nodes.
type reach struct {
	// flagged maps the nodes the client reports unreachable to when it
	// first did (stats samples, once a second).
	flagged map[string]time.Time
	// answered maps nodes to the time their last status poll succeeded.
	answered   map[string]time.Time
	shown      map[string]bool // unreachable set last given to the panes
	views      uint64          // client's views received, at the last stats
	awaitLive  bool            // every node was lost: wait for a live view
	viewsAtCut uint64          // views received when they were lost
	// stale holds the client's unreachable flags raised before the cluster
	// shown now was first seen (before the first connection, or about the
	// cluster a replaced one took over from): they say nothing about these
	// nodes and are ignored until the client clears them (the status polls
	// judge these nodes meanwhile).
	stale map[string]bool
	// staleNext: the next stats sample's flags all predate the connection.
	staleNext bool
	// holding: nodes whose last status poll answered that they hold their
	// vote (restarted without data). Until it has caught up such a node
	// sends no cluster view, so the client flags it again and again while
	// it answers every poll: the panes show the hold, not "unreachable".
	holding map[string]bool
	// epochs: the cluster epoch each node's last successful status poll
	// reported. When they are ahead of the view shown for viewBehindAfter,
	// the view is behind (the node serving it cannot apply new views: its
	// disk is full) and the header says so instead of "connected".
	// now is the time of the latest message judged (a stats sample, a
	// poll answer): unreachable compares the last answers with it.
	now          time.Time
	epochs       map[string]uint64
	behindSince  time.Time // when the polls were first seen ahead; zero when not
	behindWarned bool      // the status line said so
	// notCurrentSince: since when the client has said that the node its
	// watch last read from ended the stream because its view is not kept
	// current (TopologyStats.ViewNotCurrent), zero when it does not;
	// notCurrentWarned: past notCurrentAfter, the status line said so and
	// the header says "view behind".
	notCurrentSince  time.Time
	notCurrentWarned bool
	// pollErrs: each node's last failed status poll's reason (connReason),
	// dropped when it answers; lostWhy: the reason the lost note gave.
	pollErrs map[string]string
	lostWhy  string
	// liveAt: when a live view last ended an outage (every node lost);
	// pollFailAt: when a status poll last failed. After an outage the
	// polls that failed before the live view do not make the cluster lost
	// again: a failed poll after it does.
	liveAt, pollFailAt time.Time
	// resumedAt: the tick that found the console had not run for a while
	// (suspended); zero before any.
	resumedAt time.Time
	// asked: when each node's status poll still unanswered was sent (the
	// oldest, absent once it was answered or failed); sentAt: when each
	// node was last polled. quietShown: the nodes last given to the panes
	// as not answering.
	asked, sentAt map[string]time.Time
	quietShown    map[string]bool
}

// notCurrentAfter is how long the client may say that no node sends a
// current view before the console says so: two stats samples, so a node
// that ends a stream while another is about to serve a live one is not
// news.
const notCurrentAfter = 2 * time.Second

// viewBehindAfter is how long the nodes' polls may report a newer epoch
// than the view shown before the console says the view is behind: the
// watch normally delivers a new view before the next poll (every 2 s).
const viewBehindAfter = 6 * time.Second

// unreachable reports whether the console cannot reach node n: its last
// status poll failed, or the client judged it unreachable and no status
// poll has answered since (the newer evidence wins, so a node that came
// back is shown back even if the client's judgement lags).
func (m *Model) unreachable(n client.ClusterNode) bool {
	if m.reach.awaitLive {
		// Every node was lost and no view came since: a node answering
		// now may belong to another cluster behind the same address.
		return true
	}
	ok, polled := m.reachable[n.ID]
	if polled && !ok {
		return true
	}
	if polled && m.reach.holding[n.ID] {
		return false // it answers; the client's flag is its missing view
	}
	since, flagged := m.reach.flagged[n.ID]
	if !flagged || m.reach.stale[n.ID] {
		return false
	}
	answered, ok := m.reach.answered[n.ID]
	if !ok {
		return true
	}
	if !answered.Before(since) {
		return false
	}
	// The client flags a node whose call timed out, and a node that
	// answers its polls may time a call out too: a write to a group
	// without a majority waits for its deadline. Found in tmux with two of
	// three nodes stopped: a Put on the third made the console say "no node
	// of the cluster answers" and, a second later, "reachable again: n3",
	// which had answered every poll. A flag counts once the poll after the
	// last answer could have failed and did not answer (flagConfirm); a
	// failed poll counts at once (above).
	// After the console did not run, the last answers are old because it
	// did not ask: the flag waits for a poll from then (suspension.go).
	if m.reach.resumedAt.After(answered) {
		answered = m.reach.resumedAt
	}
	return m.reach.now.Sub(answered) > flagConfirm
}

// flagConfirm is how long after a node's last answered status poll the
// client's flag alone makes it unreachable: the next poll (every second,
// pollGap) has answered or failed (pollTimeout 1.5 s) by then.
const flagConfirm = 4 * time.Second

// notAnswering reports whether node n, reachable otherwise and called
// alive by the cluster, has left its status poll unanswered for
// unansweredAfter, and for how long. A console that did not run since it
// asked (suspended) has no word on it until the tick that polls again.
func (m *Model) notAnswering(n client.ClusterNode) (time.Duration, bool) {
	if m.unreachable(n) {
		return 0, false
	}
	return m.unanswered(n)
}

// unanswered is notAnswering for a node known not to be unreachable.
func (m *Model) unanswered(n client.ClusterNode) (time.Duration, bool) {
	asked, waiting := m.reach.asked[n.ID]
	if !waiting || n.Role != "alive" {
		return 0, false
	}
	if sleptBetween(m.lastTick, m.reach.now, m.refresh) > 0 {
		return 0, false
	}
	w := m.reach.now.Sub(asked)
	return w, w >= unansweredAfter
}

// NotAnswering lists the nodes shown not answering, sorted.
func (m *Model) NotAnswering() []string {
	var out []string
	for id := range m.quietSet() {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// quietSet is the set of nodes of the current view shown not answering.
func (m *Model) quietSet() map[string]bool {
	quiet := map[string]bool{}
	if m.view == nil {
		return quiet
	}
	for _, n := range m.view.Nodes {
		if _, q := m.notAnswering(n); q {
			quiet[n.ID] = true
		}
	}
	return quiet
}

// pollNodes picks the nodes of the view to ask for their status at at and
// records them as asked: each whose last poll was answered (or failed) at
// least pollGap ago, or whose poll has been out for stretchedPoll (its
// answer was lost; the oldest unanswered poll still counts); every node
// after a suspension (the polls sent before say nothing of now).
func (m *Model) pollNodes(at time.Time, resumed bool) []string {
	if m.reach.asked == nil {
		m.reach.asked, m.reach.sentAt = map[string]time.Time{}, map[string]time.Time{}
	}
	var ids []string
	for _, n := range m.view.Nodes {
		asked, waiting := m.reach.asked[n.ID]
		switch {
		case resumed || !waiting:
			asked = at
		case at.Sub(asked) < stretchedPoll:
			continue // its answer is awaited
		}
		if !resumed && at.Sub(m.reach.sentAt[n.ID]) < pollGap {
			continue
		}
		m.reach.asked[n.ID], m.reach.sentAt[n.ID] = asked, at
		ids = append(ids, n.ID)
	}
	return ids
}

// pollAnswered ends the wait for the poll msg answers and those sent before
// it (a poll sent after it, on a resume, is still awaited).
func (m *Model) pollAnswered(msg common.NodeStatusMsg) {
	if asked, ok := m.reach.asked[msg.NodeID]; ok && !msg.At.Add(-msg.RTT).Before(asked) {
		delete(m.reach.asked, msg.NodeID)
	}
}

// Unreachable lists the nodes the console cannot reach, sorted.
func (m *Model) Unreachable() []string {
	var out []string
	if m.view == nil {
		return nil
	}
	for _, n := range m.view.Nodes {
		if m.unreachable(n) {
			out = append(out, n.ID)
		}
	}
	sort.Strings(out)
	return out
}

// presented is v as the panes see it: unreachable nodes marked so.
func (m *Model) presented(v *client.ClusterView) *client.ClusterView {
	if v == nil {
		return nil
	}
	out := *v
	out.Nodes = make([]client.ClusterNode, len(v.Nodes))
	for i, n := range v.Nodes {
		// The root's judgement replaces the client's flag in the view, which
		// was current when the view was taken: a status poll answered since
		// outranks it (see unreachable), and the panes must agree with the
		// header and the notes. Kept, it made a node "reachable again" in
		// the message log show no change in the Events pane and no RTT.
		n.Unreachable = false
		if m.unreachable(n) {
			n.Unreachable = true
			if n.Role == "alive" { // a dead or suspect node keeps the cluster's word, which agrees
				n.Role = RoleUnreachable
			}
		} else if _, quiet := m.notAnswering(n); quiet {
			n.Role = RoleNotAnswering // its connection is kept: it may be only slow
		}
		out.Nodes[i] = n
	}
	return &out
}

// onStats takes the client's unreachable nodes and views count from a
// stats sample, and hides connections to unreachable nodes from the panes.
func (m *Model) onStats(msg common.StatsMsg) tea.Cmd {
	t := msg.Stats.Topology
	flagged := make(map[string]time.Time, len(t.UnreachableNodes))
	for _, id := range t.UnreachableNodes {
		since, ok := m.reach.flagged[id]
		if !ok {
			since = msg.At
		}
		flagged[id] = since
	}
	m.reach.flagged = flagged
	if m.reach.staleNext {
		m.reach.staleNext = false
		m.reach.stale = map[string]bool{}
		for id := range flagged {
			m.reach.stale[id] = true
		}
	}
	for id := range m.reach.stale {
		if _, still := flagged[id]; !still {
			delete(m.reach.stale, id) // cleared: a flag raised again is news
		}
	}
	m.reach.views = t.ViewsReceived
	m.noteNotCurrent(t.ViewNotCurrent, msg.At)
	cmd := m.reassess(msg.At)
	if m.view != nil && len(msg.Stats.Pool.Addrs) > 0 {
		down := map[string]bool{}
		for _, n := range m.view.Nodes {
			if m.unreachable(n) {
				down[n.Addr] = true
			}
		}
		// A copy: the slice is the client's snapshot.
		addrs := make([]string, 0, len(msg.Stats.Pool.Addrs))
		for _, a := range msg.Stats.Pool.Addrs {
			if !down[a] {
				addrs = append(addrs, a)
			}
		}
		msg.Stats.Pool.Addrs = addrs
	}
	return tea.Batch(cmd, m.broadcast(msg))
}

// reassess recomputes the connection state and, when the set of
// unreachable nodes changed, gives the panes the view marked accordingly
// (the timeline shows it as a health change).
func (m *Model) reassess(at time.Time) tea.Cmd {
	if at.After(m.reach.now) {
		m.reach.now = at
	}
	if m.view == nil || m.connState == StateConnecting {
		return nil
	}
	down, quiet := m.downSet(), m.quietSet()
	up := len(m.view.Nodes) - len(down)
	var cmds []tea.Cmd
	// A live view that ended an outage came from a node that answers:
	// found in a test of the order of messages, the cluster's first view
	// beating the nodes' next polls made the console say "the cluster
	// answers again" and at once "no node of the cluster answers" (the
	// polls from the outage), then "answers again" once they did.
	settling := up == 0 && !m.reach.awaitLive && !m.reach.liveAt.IsZero() && !m.reach.pollFailAt.After(m.reach.liveAt)
	switch {
	case settling:
		m.connState = StateDegraded // the next polls decide
	case up == 0: // also while awaiting a live view (unreachable)
		if !m.reach.awaitLive {
			m.reach.awaitLive, m.reach.viewsAtCut = true, m.reach.views
			m.reach.lostWhy = m.lostWhy()
			m.setError(errors.New(lostText + m.reach.lostWhy))
		} else if why := m.lostWhy(); why != "" && why != m.reach.lostWhy && m.showsLost() {
			// The polls failed after the client's flags made the nodes
			// lost: the note says why once they have.
			m.reach.lostWhy = why
			m.setError(errors.New(lostText + why))
		}
		m.connState = StateReconnecting
		// Nodes may answer again, but the console cannot tell yet whether
		// they are the cluster it lost or another one started behind the
		// same addresses: every node stays unreachable (no "reachable
		// again") until a view says which. Once the client received a view
		// the root asks for it, and onTopology decides.
		if c := m.common.Client; c != nil && m.reach.views > m.reach.viewsAtCut {
			cmds = append(cmds, feed.ViewCmd(c))
		}
	case up < len(m.view.Nodes) || len(quiet) > 0 || notAlive(m.view) > 0:
		// A node the cluster calls suspect or dead is not "connected"
		// either, though it may answer the console's polls (found in
		// tmux: a SIGSTOPped node read "2/3 alive" beside a green
		// "connected" until its poll failed).
		m.connState = StateDegraded
	default:
		m.connState = StateConnected
	}
	if up > 0 && (m.viewBehind(at) || m.reach.notCurrentWarned) {
		m.connState = StateBehind
	}
	// Not answering is not noted in the log (a slow node would be, at
	// every slow poll); the panes are given the view marked so.
	quietChanged := !sameSet(quiet, m.reach.quietShown)
	m.reach.quietShown = quiet
	if !m.noteReachChanges(down, up) && !quietChanged {
		return tea.Batch(cmds...)
	}
	ev := &client.TopologyEvent{PreviousEpoch: m.view.Epoch, CurrentEpoch: m.view.Epoch, LeaderChanges: map[uint32]string{}}
	cmds = append(cmds, m.broadcast(common.TopologyMsg{At: at, View: m.presented(m.view), Event: ev}))
	return tea.Batch(cmds...)
}

// notAlive counts the nodes v does not call alive (suspect, dead, ...).
func notAlive(v *client.ClusterView) int {
	n := 0
	for _, node := range v.Nodes {
		if node.Role != "alive" {
			n++
		}
	}
	return n
}

// noteReachChanges logs the nodes lost and found since the panes were last
// given a view, records down as shown, and reports whether it changed.
func (m *Model) noteReachChanges(down map[string]bool, up int) bool {
	if sameSet(down, m.reach.shown) {
		return false
	}
	var lost, back []string
	for id := range down {
		if !m.reach.shown[id] {
			lost = append(lost, id)
		}
	}
	for id := range m.reach.shown {
		if !down[id] {
			back = append(back, id)
		}
	}
	sort.Strings(lost)
	sort.Strings(back)
	if len(lost) > 0 && up > 0 {
		m.note(levelWarn, "cannot reach "+strings.Join(lost, ", ")+"; shown as unreachable", 0, false)
	}
	if len(back) > 0 {
		m.note(levelInfo, "reachable again: "+strings.Join(back, ", "), 0, false)
	}
	m.reach.shown = down
	return true
}

// lostText is the error shown while no node answers.
const lostText = "no node of the cluster answers: showing the last view known; waiting for the cluster"

// lostWhy is what the lost note adds when every node's status poll failed
// the same way: " (every node: connection refused: ...)"; "" otherwise.
// Found in tmux with the cluster restarted on other ports under the
// console: it said only "no node of the cluster answers ... waiting for
// the cluster", for as long as it ran.
func (m *Model) lostWhy() string {
	if m.view == nil || len(m.view.Nodes) == 0 {
		return ""
	}
	why := ""
	for _, n := range m.view.Nodes {
		r := m.reach.pollErrs[n.ID]
		if r == "" || (why != "" && r != why) {
			return ""
		}
		why = r
	}
	switch why {
	case "connection refused":
		return " (every node: connection refused: nothing listens at its address; the cluster is down or restarting, " +
			"or moved to other addresses: then restart the console with their --nodes)"
	case "no answer within the timeout":
		return " (every node: no answer within the timeout: the nodes are hung or stopped, or this machine cannot reach them)"
	}
	return " (every node: " + why + ")"
}

// showsLost reports whether the status line shows the lost note.
func (m *Model) showsLost() bool {
	return m.status != nil && strings.HasPrefix(m.status.Text, lostText)
}

// clearLost drops the "no node answers" error once the cluster is back:
// it no longer holds, and the notes that follow should be seen.
func (m *Model) clearLost() {
	m.dropLost()
	m.note(levelInfo, "the cluster answers again: showing its live view", 0, false)
}

// dropLost drops the "no node answers" error without saying the cluster
// answers again (another cluster answering says so itself).
func (m *Model) dropLost() {
	if m.showsLost() {
		m.status, m.lastErr = nil, nil
	}
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// onReplaced shows a cluster that replaced the one the console knew (same
// addresses, another cluster id or epochs starting over): a fresh view, an
// event in the timeline, and a note saying so.
func (m *Model) onReplaced(msg common.TopologyMsg) tea.Cmd {
	old := m.view
	m.view = msg.View
	m.reach.awaitLive = false
	m.dropLost() // not "the cluster answers again": another one does
	ev := *msg.Event
	ev.LeaderChanges = map[uint32]string{} // a fresh heatmap, nothing to flash
	id := ev.ClusterID
	if id == "" {
		id = "another cluster"
	}
	m.note(levelInfo, fmt.Sprintf("the cluster was replaced (%s, epoch %d; was epoch %d): showing the new one", id, msg.View.Epoch, old.Epoch), 0, false)
	// What the console knew about reaching the old cluster's nodes (failed
	// polls, the client's flags) is not about the new one's: its nodes are
	// judged afresh, so none is reported "reachable again" for answering.
	m.reachable, m.reach.answered, m.reach.holding = map[string]bool{}, map[string]time.Time{}, nil
	m.reach.epochs, m.reach.behindSince, m.reach.behindWarned = nil, time.Time{}, false // the old cluster's epochs
	m.reach.stale = map[string]bool{}
	for id := range m.reach.flagged {
		m.reach.stale[id] = true
	}
	cmd := m.broadcast(common.TopologyMsg{At: msg.At, View: m.presented(m.view), Event: &ev})
	m.reach.shown, m.reach.quietShown = m.downSet(), m.quietSet() // a new cluster: nothing "lost" or "back"
	return tea.Batch(cmd, m.reassess(msg.At))
}

// sameCluster reports whether view b is of the cluster view a was: the same
// cluster id, or without ids epochs that did not start over.
func sameCluster(a, b *client.ClusterView) bool {
	if a.ClusterID != "" || b.ClusterID != "" {
		return a.ClusterID == b.ClusterID
	}
	return b.Epoch >= a.Epoch
}

// viewDiff is the change from view a to the newer view b of the same
// cluster: nodes added and removed, shards whose leader differs.
func viewDiff(a, b *client.ClusterView) *client.TopologyEvent {
	ev := &client.TopologyEvent{PreviousEpoch: a.Epoch, CurrentEpoch: b.Epoch, ClusterID: b.ClusterID, LeaderChanges: map[uint32]string{}}
	for _, n := range b.Nodes {
		if _, ok := a.Node(n.ID); !ok {
			ev.AddedNodes = append(ev.AddedNodes, n.ID)
		}
	}
	for _, n := range a.Nodes {
		if _, ok := b.Node(n.ID); !ok {
			ev.RemovedNodes = append(ev.RemovedNodes, n.ID)
		}
	}
	for i, sh := range b.Shards {
		if i >= len(a.Shards) || a.Shards[i].Leader() != sh.Leader() {
			ev.LeaderChanges[uint32(i)] = sh.Leader()
		}
	}
	return ev
}

// downSet is the set of nodes of the current view the console cannot reach.
func (m *Model) downSet() map[string]bool {
	down := map[string]bool{}
	if m.view == nil {
		return down
	}
	for _, n := range m.view.Nodes {
		if m.unreachable(n) {
			down[n.ID] = true
		}
	}
	return down
}

// viewBehind reports whether the nodes' status polls have reported a newer
// cluster epoch than the view shown for viewBehindAfter, and says so in the
// status line once (and once when the view has caught up). Seen on 3 serve
// processes: n2, whose disk filled up, kept sending its last view (epoch
// 18) on the console's topology watch while n1 and n3 moved on to epoch 20
// (n2's groups led elsewhere); the console showed n2 leading 320 shards,
// "connected", for as long as the disk stayed full.
func (m *Model) viewBehind(at time.Time) bool {
	if m.paused || m.view == nil {
		return false
	}
	newest, by := uint64(0), ""
	for _, n := range m.view.Nodes {
		if e := m.reach.epochs[n.ID]; e > newest {
			newest, by = e, n.ID
		}
	}
	if newest <= m.view.Epoch {
		if m.reach.behindWarned {
			m.setInfo(fmt.Sprintf("cluster view current again (epoch %d)", m.view.Epoch))
		}
		m.reach.behindSince, m.reach.behindWarned = time.Time{}, false
		return false
	}
	if m.reach.behindSince.IsZero() {
		m.reach.behindSince = at
	}
	if at.Sub(m.reach.behindSince) < viewBehindAfter {
		return false
	}
	if !m.reach.behindWarned {
		m.reach.behindWarned = true
		m.note(levelWarn, fmt.Sprintf("the cluster view shown (epoch %d) is behind: %s reports epoch %d; leaders shown may have moved (the node sending the view may be unable to apply new ones: see the Cluster pane)",
			m.view.Epoch, by, newest), 0, false)
	}
	return true
}

// noteNotCurrent follows the client's word that no node sends a current
// view (nc: TopologyStats.ViewNotCurrent): past notCurrentAfter the status
// line says why, once, and the header says "view behind" instead of
// "connected" or "degraded"; once a node sends a live view again it says
// so. Found in tmux with 3 serve --fsync processes restarted one at a time:
// the first one up, alone, has no metadata leader, so it gives its view
// and ends the stream saying it is not current; the console showed that
// view (to a console started then: epoch 0, every node "suspect") without
// a word.
func (m *Model) noteNotCurrent(nc string, at time.Time) {
	if nc == "" {
		if m.reach.notCurrentWarned && m.view != nil {
			m.setInfo(fmt.Sprintf("cluster view current again (epoch %d)", m.view.Epoch))
		}
		m.reach.notCurrentSince, m.reach.notCurrentWarned = time.Time{}, false
		return
	}
	if m.reach.notCurrentSince.IsZero() {
		m.reach.notCurrentSince = at
	}
	if m.reach.notCurrentWarned || m.view == nil || at.Sub(m.reach.notCurrentSince) < notCurrentAfter {
		return
	}
	m.reach.notCurrentWarned = true
	m.note(levelWarn, fmt.Sprintf("the cluster view shown (epoch %d) may be out of date: %s",
		m.view.Epoch, common.NotCurrentText(nc)), 0, false)
}

// noteShardCount says when the cluster came back with another shard count
// (restarted with other settings under the console): taken when the count
// was the cluster's, or an error when the user set one (keys then hash to
// other shards than the servers use). Before, only the Keys pane's listing
// error told.
func (m *Model) noteShardCount(ev *client.TopologyEvent) {
	if ev == nil || ev.TotalShards == 0 || ev.PreviousTotalShards == 0 || ev.TotalShards == ev.PreviousTotalShards {
		return
	}
	if ev.RoutedShards == ev.TotalShards {
		m.note(levelWarn, fmt.Sprintf("the cluster now has %d shards (it had %d): keys are routed by %d now",
			ev.TotalShards, ev.PreviousTotalShards, ev.TotalShards), 0, false)
		return
	}
	m.note(levelError, fmt.Sprintf("the cluster now has %d shards (it had %d), but the console was started with %d "+
		"(--shards or the profile's total_shards): keys hash to other shards than the servers use and key listings fail; restart with --shards %d",
		ev.TotalShards, ev.PreviousTotalShards, ev.RoutedShards, ev.TotalShards), 0, false)
}
