package cluster

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// groupCols are the widths of the groups table: group, shards, leader,
// term, commit, keys, vectors, replicas.
var groupCols = []int{5, 9, 6, 5, 8, 7, 7, 0}

// setNodeGroups records what one node reported about its replication
// groups, replacing its previous report (or dropping it when it failed).
func (m *Model) setNodeGroups(node string, st *client.NodeStatus) {
	for id, g := range m.groups {
		delete(g, node)
		if len(g) == 0 { // nobody reports it: no row (a replaced cluster may not have it)
			delete(m.groups, id)
		}
	}
	if st == nil {
		return
	}
	for _, g := range st.Groups {
		if m.groups[g.GroupID] == nil {
			m.groups[g.GroupID] = map[string]client.GroupStatus{}
		}
		m.groups[g.GroupID][node] = g
	}
}

// forgetNodesOutside drops what nodes absent from v reported: the groups
// table and the round trips follow the current view.
func (m *Model) forgetNodesOutside(v *client.ClusterView) {
	for id := range m.nodes {
		if _, ok := v.Node(id); !ok {
			delete(m.nodes, id)
			m.setNodeGroups(id, nil)
		}
	}
}

// forgetCluster drops every node's report: the cluster behind the addresses
// was replaced, and what its predecessor's nodes said (groups, shard to
// group, round trips) is not true of it.
func (m *Model) forgetCluster() {
	m.groups = map[int]map[string]client.GroupStatus{}
	m.groupOf = map[int]int{}
	m.nodes = map[string]*nodeInfo{}
	m.route = nil
}

// groupLines renders the replication groups as seen by the nodes: leader,
// term, commit index, and how far each replica's applied index lags.
func (m *Model) groupLines(max int) []string {
	if max < 1 {
		return nil
	}
	if len(m.groups) == 0 {
		// Say why the table is gone rather than leave a blank (every
		// report dropped with its node's failed poll).
		if m.live != nil && m.allPollsFailed() {
			return []string{m.common.Styles.Muted.Render("GROUPS  no node answers its status poll: nothing to show")}
		}
		return nil
	}
	if max < 2 {
		return nil
	}
	st := m.common.Styles
	ids := make([]int, 0, len(m.groups))
	for id := range m.groups {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := []string{st.TableHeader.Render(common.Columns(groupCols, "GROUP", "SHARDS", "LEADER", " TERM", "  COMMIT", "   KEYS", "VECTORS", "REPLICAS (applied lag)"))}
	for _, id := range ids {
		if len(out) >= max {
			out[len(out)-1] = st.Muted.Render(fmt.Sprintf("… %d more groups (a taller terminal shows them)", len(ids)-len(out)+2))
			break
		}
		out = append(out, m.groupRow(id))
	}
	return out
}

func (m *Model) groupRow(id int) string {
	st := m.common.Styles
	reports := m.groups[id]
	var leader client.GroupStatus
	leaderID := ""
	nodes := make([]string, 0, len(reports))
	for node := range reports {
		nodes = append(nodes, node)
	}
	sort.Strings(nodes)
	// Two reports may both say leader: the old leader's, not polled since
	// the move, and the new one's. The higher term is the current one (the
	// node order breaks ties, so the row does not flicker between frames).
	for _, node := range nodes {
		if g := reports[node]; g.State == "leader" && (leaderID == "" || g.Term > leader.Term) {
			leader, leaderID = g, node
		}
	}
	var shards string
	first := -1
	if len(nodes) > 0 {
		g := reports[nodes[0]]
		shards = span(g.Shards)
		if len(g.Shards) > 0 {
			first = slices.Min(g.Shards)
		}
	}
	// The topology watch hears of a new leader at once, the reports only at
	// the next poll: a row whose reports disagree with the live view names
	// the view's leader and says it waits for its report (it named the old
	// leader with its old term, or "election in progress" for a group whose
	// leader had simply not been polled yet).
	viewLeader := ""
	if first >= 0 {
		viewLeader = m.liveLeader(first)
	}
	if viewLeader != "" && viewLeader != leaderID && !m.deniesLeading(viewLeader, reports) {
		why := st.Muted.Render("waiting for " + viewLeader + "'s report")
		if n := m.nodes[viewLeader]; n != nil && n.err != nil {
			why = st.Warn.Render("no report: " + viewLeader + " does not answer")
		}
		return common.Columns(groupCols, fmt.Sprintf("g%d", id), shards, m.nodeLabel(viewLeader), "", "", "", "", why)
	}
	if leaderID == "" {
		why := "election in progress"
		if down, peers := m.silentPeers(reports, nodes); len(peers) > 0 && 2*(len(peers)-len(down)) <= len(peers) {
			// Found in tmux with two of three nodes stopped: "election in
			// progress" while no election could end. (They may only be
			// cut off from the console: said as what is known.)
			why = fmt.Sprintf("no leader; %s do not answer (a leader needs %d of %d)",
				strings.Join(down, ", "), len(peers)/2+1, len(peers))
		}
		if held := heldIn(reports, nodes); len(held) > 0 {
			// The others' votes alone must elect a leader: say why it may take.
			why += "; " + strings.Join(held, ", ") + " not voting (no data)"
		}
		for _, n := range nodes {
			if s := m.storageOf(n); s.Failing() {
				why += "; " + n + " " + s.Short() + " (not campaigning)"
			}
		}
		return common.Columns(groupCols, fmt.Sprintf("g%d", id), shards, st.Warn.Render("none"), "", "", "", "", why)
	}
	if first >= 0 && viewLeader == "" && m.live != nil { // the view, newer than the reports, has no leader
		return common.Columns(groupCols, fmt.Sprintf("g%d", id), shards, st.Warn.Render("none"), "", "", "", "",
			"election in progress ("+leaderID+" led at the last poll)")
	}
	var reps []string
	for _, p := range leader.Peers {
		g, ok := reports[p]
		switch {
		case !ok:
			reps = append(reps, st.Error.Render(p+" down"))
		case p == leaderID:
			reps = append(reps, p+"*")
		case m.storageOf(p).Failing(): // its own report: it cannot write its log
			reps = append(reps, st.Error.Render(p+" "+m.storageOf(p).Short()))
		case g.VoteHeld && m.nodes[p] != nil && m.nodes[p].hold.Starting: // asking its peers whether the cluster is new
			reps = append(reps, st.Warn.Render(p+" starting, not voting"))
		case g.VoteHeld: // its own report: restarted without data, behind the leader
			reps = append(reps, st.Warn.Render(p+" catching up, not voting"))
		case leader.CommitIndex > g.AppliedIndex:
			reps = append(reps, st.Warn.Render(fmt.Sprintf("%s -%d", p, leader.CommitIndex-g.AppliedIndex)))
		default:
			reps = append(reps, p+" ok")
		}
	}
	if len(leader.Peers) == 0 {
		reps = nodes
	}
	return common.Columns(groupCols, fmt.Sprintf("g%d", id), shards, m.nodeLabel(leaderID),
		fmt.Sprintf("%5d", leader.Term), fmt.Sprintf("%8d", leader.CommitIndex), fmt.Sprintf("%7s", count(leader.Keys)),
		fmt.Sprintf("%7s", count(leader.Vectors)), strings.Join(reps, "  "))
}

// deniesLeading reports whether node id's own report, received after the
// live view's epoch, says it does not lead the group the view says it
// leads: the view is the older news (with no leader anywhere the cluster
// cannot publish a new view, and a node restarted without its data may
// be what keeps the group leaderless), so the reports speak for the row.
func (m *Model) deniesLeading(id string, reports map[string]client.GroupStatus) bool {
	n := m.nodes[id]
	g, ok := reports[id]
	return ok && n != nil && n.reportAt.After(m.liveSince) && g.State != "leader"
}

// heldIn lists the nodes whose report on a group says they hold their
// vote there, in nodes' order.
// silentPeers returns a group's replicas (from its reports) and those of
// them whose last status poll failed.
func (m *Model) silentPeers(reports map[string]client.GroupStatus, nodes []string) (down, peers []string) {
	for _, n := range nodes {
		if p := reports[n].Peers; len(p) > len(peers) {
			peers = p
		}
	}
	for _, p := range peers {
		if info := m.nodes[p]; info != nil && info.polled && info.err != nil {
			down = append(down, p)
		}
	}
	return down, peers
}

func heldIn(reports map[string]client.GroupStatus, nodes []string) []string {
	var out []string
	for _, n := range nodes {
		if reports[n].VoteHeld {
			out = append(out, n)
		}
	}
	return out
}

// allPollsFailed reports whether the live view's nodes were all polled and
// the last poll of each failed.
func (m *Model) allPollsFailed() bool {
	for _, n := range m.live.Nodes {
		info := m.nodes[n.ID]
		if info == nil || !info.polled || info.err == nil {
			return false
		}
	}
	return len(m.live.Nodes) > 0
}

// span renders a group's shard list as "first-last" when contiguous.
func span(shards []int) string {
	if len(shards) == 0 {
		return "-"
	}
	s := append([]int(nil), shards...)
	sort.Ints(s)
	if s[len(s)-1]-s[0] == len(s)-1 {
		return fmt.Sprintf("%d-%d", s[0], s[len(s)-1])
	}
	return fmt.Sprintf("%d shards", len(s))
}

// count renders a count compactly: 950, 12.3k, 4.1M.
func count(n uint64) string {
	switch {
	case n < 10_000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1fM", float64(n)/1e6)
}
