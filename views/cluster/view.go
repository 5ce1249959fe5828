package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/ui/common"
)

// table column widths: node, address, health, leads, conn, rtt. HEALTH is
// wide enough for "unreachable" (the root's role for a node nobody reaches).
var tableCols = []int{8, 21, 11, 6, 5, 8}

// travelCols are the table's widths at a past epoch: node, address,
// health, leads, and how the node differs now.
var travelCols = []int{8, 21, 11, 6, 0}

// bigLegend is the node count above which the legend names no node (the
// table is the key).
const bigLegend = 12

// visibleNodes returns the node ids shown in the table, after the filter,
// in the table's sort order.
func (m *Model) visibleNodes() []string {
	if m.view == nil {
		return nil
	}
	f := strings.ToLower(m.filter)
	var out []string
	for _, id := range m.nodeIDs {
		n, _ := m.view.Node(id)
		if f == "" || strings.Contains(strings.ToLower(id+" "+n.Addr+" "+n.Role), f) {
			out = append(out, id)
		}
	}
	m.sortNodes(out)
	return out
}

// layout computes the table and heatmap geometry for the current size and
// keeps the cursor's row on screen.
func (m *Model) layout() {
	nodes := m.visibleNodes()
	banner := 0
	if m.travel != nil {
		banner = 1
	}
	maxTable := max(1, m.height/3)
	total := 0
	if len(nodes) > maxTable { // the table scrolls; its last line says where
		total = len(nodes)
		rows := max(1, maxTable-1)
		m.tableFirst = clamp(m.tableFirst, 0, len(nodes)-rows)
		nodes = nodes[m.tableFirst : m.tableFirst+rows]
	} else {
		m.tableFirst = 0
	}
	g := heatGeom{tableTop: 1 + banner, tableNodes: nodes, tableTotal: total}
	tableLines := 1 + max(len(nodes), 1)
	if total > 0 {
		tableLines++
	}
	if len(m.holders()) > 0 {
		tableLines++
	}
	if len(m.storageFailing()) > 0 {
		tableLines++
	}
	if len(m.cutOff()) > 0 {
		tableLines++
	}
	g.top = banner + tableLines + 1 // the legend line
	avail := m.height - g.top - 2
	g.gutter, g.cols, g.allRows, g.cellW = heatLayout(m.totalShards(), m.width, avail)
	g.rows = max(0, min(g.allRows, avail))
	g.first = m.geom.first
	if g.cols > 0 && g.rows > 0 {
		row := m.cursor / g.cols
		if row < g.first {
			g.first = row
		}
		if row >= g.first+g.rows {
			g.first = row - g.rows + 1
		}
		g.first = clamp(g.first, 0, max(0, g.allRows-g.rows))
	}
	m.geom = g
}

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	st := m.common.Styles
	var b strings.Builder
	if m.travel != nil {
		b.WriteString(m.banner() + "\n")
		b.WriteString(st.TableHeader.Render(common.Columns(travelCols, "NODE", "ADDRESS", "HEALTH", " LEADS", "NOW")))
	} else {
		head := common.Columns(tableCols, "NODE", "ADDRESS", "HEALTH", " LEADS", "CONN", "RTT")
		if l := m.sort.Label(); l != "" {
			head += "  sort " + l
		}
		b.WriteString(st.TableHeader.Render(head))
	}
	if m.view == nil {
		b.WriteString("\n" + st.Muted.Render("waiting for the first cluster view…"))
	}
	leads := m.leadsShown()
	for _, id := range m.geom.tableNodes {
		b.WriteString("\n" + m.nodeRow(id, leads))
	}
	if g := m.geom; g.tableTotal > 0 {
		b.WriteString("\n" + st.Muted.Render(fmt.Sprintf("nodes %d-%d of %d · %s %s scroll",
			m.tableFirst+1, m.tableFirst+len(g.tableNodes), g.tableTotal, m.keys.TableUp.Help().Key, m.keys.TableDown.Help().Key)))
	}
	if m.view != nil && len(m.geom.tableNodes) == 0 {
		b.WriteString("\n" + st.Muted.Render("no node matches the filter "+strconv.Quote(m.filter)))
	}
	if l := m.holdLine(); l != "" {
		b.WriteString("\n" + st.Warn.Render(l))
	}
	if l := m.storageLine(); l != "" {
		b.WriteString("\n" + st.Error.Render(l))
	}
	if l := m.cutOffLine(); l != "" {
		b.WriteString("\n" + st.Warn.Render(l))
	}
	b.WriteString("\n" + m.legend())
	m.heatmap(&b)
	d1, d2 := m.detail()
	b.WriteString("\n" + d1 + "\n" + d2)
	used := strings.Count(b.String(), "\n") + 1
	if gl := m.groupLines(m.height - used - 1); len(gl) > 0 {
		b.WriteString("\n\n" + strings.Join(gl, "\n"))
	}
	return common.Fit(b.String(), m.width, m.height)
}

// holders lists the view's nodes whose last answer says they hold their
// vote, in the table's id order.
func (m *Model) holders() []string {
	var out []string
	for _, id := range m.nodeIDs {
		if n := m.nodes[id]; n != nil && n.hold.Held() {
			out = append(out, id)
		}
	}
	return out
}

// holdLine says, under the nodes table, which nodes restarted without
// their data and do not vote until they have caught up ("" when none):
// meanwhile a group needs the votes of the others to elect a leader.
func (m *Model) holdLine() string {
	ids := m.holders()
	var starting []string
	for _, id := range ids {
		if m.nodes[id].hold.Starting {
			starting = append(starting, id)
		}
	}
	switch {
	case len(ids) == 0:
		return ""
	case len(starting) > 0:
		// Its first seconds: it asks its peers whether they hold a
		// cluster, and every member of a new cluster holds its vote
		// meanwhile. Not yet known to have lost anything.
		long := strings.Join(starting, ", ") + " just started: not voting until its peers say whether the cluster is new"
		var restarted []string
		for _, id := range ids {
			if !m.nodes[id].hold.Starting {
				restarted = append(restarted, id)
			}
		}
		if len(restarted) > 0 {
			long += "; " + strings.Join(restarted, ", ") + " restarted without data"
		}
		if lipgloss.Width(long) <= m.width {
			return long
		}
		return strings.Join(starting, ", ") + ": starting, not voting yet"
	case len(ids) == 1:
		id, h := ids[0], m.nodes[ids[0]].hold
		long := fmt.Sprintf("%s restarted without data: not voting in %s until caught up", id, h.Where())
		if lipgloss.Width(long) <= m.width {
			return long
		}
		return fmt.Sprintf("%s: no data, not voting in %s", id, h.Where())
	}
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, id+" in "+m.nodes[id].hold.Where())
	}
	return "restarted without data, not voting until caught up: " + strings.Join(parts, ", ")
}

// cutOff lists the view's nodes that say they are cut off from the
// metadata group's leader (NodeStatus meta_cut_off), or, from servers
// without that field, have answered the console for cutOffAfter while the
// cluster's view counts them dead, in the table's order: cut off from
// their peers (a network partition), or hearing them but not heard, yet
// reachable from here.
func (m *Model) cutOff() []string {
	var out []string
	for _, id := range m.nodeIDs {
		n := m.nodes[id]
		if n != nil && n.err == nil && n.metaCutOff != "" {
			out = append(out, id)
			continue
		}
		if n == nil || n.answersDeadSince.IsZero() || n.err != nil || m.now.Sub(n.answersDeadSince) < cutOffAfter {
			continue
		}
		if ln, ok := m.live.Node(id); ok && ln.Role == "dead" {
			out = append(out, id)
		}
	}
	return out
}

// cutOffLine says, under the nodes table, which nodes answer the console
// while their peers count them dead: "dead" beside a round trip of a few
// milliseconds said nothing of why. "" when none.
func (m *Model) cutOffLine() string {
	ids := m.cutOff()
	if len(ids) == 0 {
		return ""
	}
	allSay := true
	for _, id := range ids {
		allSay = allSay && m.nodes[id].metaCutOff != ""
	}
	var long, short string
	switch said := m.nodes[ids[0]].metaCutOff; {
	case len(ids) > 1 && allSay:
		long = strings.Join(ids, ", ") + " are cut off from the cluster (they have not heard the metadata group's leader): their views are not kept current"
		short = strings.Join(ids, ", ") + " are cut off from the cluster"
	case len(ids) == 1 && said != "":
		long = fmt.Sprintf("%s is cut off from the cluster: %s; its view is not kept current", ids[0], said)
		short = ids[0] + " is cut off from the cluster"
	case len(ids) == 1:
		id := ids[0]
		d := m.now.Sub(m.nodes[id].answersDeadSince).Truncate(time.Second)
		long = fmt.Sprintf("%s answers the console but its peers count it dead (seen for %s): cut off from them? it leads nothing", id, d)
		short = id + " answers here, dead to its peers (cut off?)"
	default:
		long = strings.Join(ids, ", ") + " answer the console but their peers count them dead: cut off from them? they lead nothing"
		short = strings.Join(ids, ", ") + ": answer here, dead to their peers"
	}
	for _, l := range []string{long, short} {
		if lipgloss.Width(l) <= m.width {
			return l
		}
	}
	return short
}

// storageOf is what node id's last answer says about writing its log.
func (m *Model) storageOf(id string) common.Storage {
	if n := m.nodes[id]; n != nil {
		return n.storage
	}
	return common.Storage{}
}

// storageFailing lists the view's nodes whose last answer says they cannot
// write their Raft log, in the table's id order.
func (m *Model) storageFailing() []string {
	var out []string
	for _, id := range m.nodeIDs {
		if m.storageOf(id).Failing() {
			out = append(out, id)
		}
	}
	return out
}

// storageLine says, under the nodes table, which nodes cannot write their
// Raft log (a full disk), whether they still lead shards (they hand them
// over) and which nodes take the writes: "n2: disk full (no space left on
// device): not leading, writes go to n1, n3". Shorter forms when the pane
// is narrow; "" when every node can write.
func (m *Model) storageLine() string {
	ids := m.storageFailing()
	if len(ids) == 0 {
		return ""
	}
	failing := map[string]bool{}
	for _, id := range ids {
		failing[id] = true
	}
	// Who leads: the nodes' own reports, which a view sent by a node that
	// cannot apply new ones (its disk is full) lags behind.
	led := map[string]int{}
	for _, g := range m.groups {
		for node, st := range g {
			if st.State == "leader" {
				led[node]++
			}
		}
	}
	leads := func(id string) (int, string) {
		if n := m.nodes[id]; n != nil && !n.reportAt.IsZero() {
			return led[id], "groups"
		}
		return m.leads[id], "shards"
	}
	var to []string
	for _, id := range m.nodeIDs {
		if l, _ := leads(id); !failing[id] && l > 0 {
			to = append(to, id)
		}
	}
	dest := "writes go to " + strings.Join(to, ", ")
	if len(to) == 0 {
		dest = "no other node leads: writes wait"
	}
	var long, short string
	if len(ids) == 1 {
		id, s := ids[0], m.storageOf(ids[0])
		lead := "not leading"
		if l, what := leads(id); l > 0 {
			if l == 1 {
				what = strings.TrimSuffix(what, "s")
			}
			lead = fmt.Sprintf("still leads %d %s (handing them over)", l, what)
		}
		long = fmt.Sprintf("%s: %s: %s, %s", id, s.Reason(), lead, dest)
		short = fmt.Sprintf("%s: %s, %s", id, s.Short(), dest)
	} else {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = id + " " + m.storageOf(id).Short()
		}
		long = "cannot write their Raft log: " + strings.Join(parts, ", ") + "; " + dest
		short = strings.Join(parts, ", ") + "; " + dest
	}
	for _, l := range []string{long, short} {
		if lipgloss.Width(l) <= m.width {
			return l
		}
	}
	return fmt.Sprintf("%s: %s", strings.Join(ids, ", "), m.storageOf(ids[0]).Short())
}

func (m *Model) nodeLabel(id string) string {
	st := m.common.Styles
	i, ok := m.nodeIndex[id]
	if !ok {
		return st.Muted.Render(id)
	}
	if st.Color {
		g := "█"
		if i >= len(st.Nodes) { // the colours repeat: the glyph tells nodes apart
			g = nodeGlyph(i)
		}
		return st.Node(i).Render(g + " " + id)
	}
	return "[" + nodeGlyph(i) + "] " + id
}

// nodeRow is node id's row of the table; leads is the LEADS column
// (leadsShown), computed once for the table.
func (m *Model) nodeRow(id string, leads map[string]int) string {
	st := m.common.Styles
	n, _ := m.view.Node(id)
	health := n.Role
	hs := st.OK
	switch n.Role {
	case "suspect", "no answer": // "no answer": the root's role for a node whose status poll is overdue
		hs = st.Warn
	case "dead", "unreachable":
		hs = st.Error
	}
	if s := m.storageOf(id); s.Failing() && m.travel == nil && (n.Role == "alive" || n.Role == "suspect") {
		health, hs = s.Short(), st.Error // its own report: up, but it cannot write its log
	}
	if m.travel != nil {
		now, differs := m.nowColumn(id, n)
		ns := st.Muted
		if differs {
			ns = st.Warn
		}
		return common.Columns(travelCols, m.nodeLabel(id), n.Addr, hs.Render(health), fmt.Sprintf("%6d", leads[id]), ns.Render(now))
	}
	conn := m.connCell(n.Addr)
	rtt, _, _ := m.rttCell(id)
	return common.Columns(tableCols,
		m.nodeLabel(id), n.Addr, hs.Render(health), fmt.Sprintf("%6d", leads[id]), conn, rtt)
}

// leadsShown is the LEADS column of every node: the view's count less the
// shards of groups the node says, in its own report newer than the view,
// it does not lead (denials). The table, its copy and the sort by LEADS
// all read it, so the order agrees with the numbers. It is m.leads itself
// (no copy) in the usual case and while travelling; callers must not
// modify it.
func (m *Model) leadsShown() map[string]int {
	denied := m.denials()
	if denied == nil || m.view == nil {
		return m.leads
	}
	out := maps.Clone(m.leads)
	for _, sh := range m.view.Shards {
		if g, ok := m.groupOf[sh.ID]; ok && denied[g][sh.Leader()] {
			out[sh.Leader()]--
		}
	}
	return out
}

// denials maps each group to the nodes whose own report, newer than the
// live view, says they do not lead it (deniesLeading): a view naming one
// of them as the group's leader is older news. nil when there is none
// (the usual case), and while travelling (the past is shown as it was).
func (m *Model) denials() map[int]map[string]bool {
	if m.travel != nil {
		return nil
	}
	var out map[int]map[string]bool
	for g, reports := range m.groups {
		for _, r := range reports {
			if len(r.Shards) == 0 {
				continue
			}
			// The view's leader of the group (of its first shard: a group
			// moves as one).
			if l := m.liveLeader(slices.Min(r.Shards)); l != "" && m.deniesLeading(l, reports) {
				if out == nil {
					out = map[int]map[string]bool{}
				}
				out[g] = map[string]bool{l: true}
			}
			break
		}
	}
	return out
}

// connCell is the CONN column: "yes" for an open pool connection, "down"
// for one open but failing (the node does not answer on it), "no" for none.
func (m *Model) connCell(addr string) string {
	switch {
	case !m.connected[addr]:
		return "no"
	case m.failing[addr]:
		return "down"
	}
	return "yes"
}

// legend is the line above the heatmap: count, epoch and the colour key.
func (m *Model) legend() string {
	st := m.common.Styles
	shards := fmt.Sprintf("SHARDS %d", m.totalShards())
	if g := m.geom; g.rows < g.allRows && g.cols > 0 { // the heatmap pages: say which part is shown
		shards = fmt.Sprintf("SHARDS %d-%d of %d", g.first*g.cols, min(m.totalShards(), (g.first+g.rows)*g.cols)-1, m.totalShards())
	}
	parts := []string{st.Title.Render(shards)}
	if m.view != nil {
		parts = append(parts, st.Muted.Render(fmt.Sprintf("epoch %d", m.view.Epoch)))
	}
	p := m.newPainter()
	sep := " "
	if !st.Color {
		sep = "="
	}
	var key strings.Builder
	switch {
	case m.byHealth:
		for i, k := range []cellKind{cellAlive, cellSuspect, cellDown} {
			if i > 0 {
				key.WriteByte(' ')
			}
			p.run(&key, k, 1, 1)
			key.WriteString(sep + []string{"alive", "suspect", "down"}[i])
		}
		key.WriteString(" (leader's health)")
	case len(m.nodeIDs) > bigLegend:
		key.WriteString(fmt.Sprintf("%d nodes: key in the table", len(m.nodeIDs)))
	}
	for i, id := range m.nodeIDs {
		if len(m.nodeIDs) > bigLegend || m.byHealth {
			break
		}
		if i > 0 {
			key.WriteByte(' ')
		}
		p.run(&key, cellKind(m.nodeIndex[id]), 1, 1)
		key.WriteString(sep + id)
	}
	key.WriteString("  ")
	p.run(&key, cellNoLeader, 1, 1)
	key.WriteString(sep + "no leader  ")
	if m.travel != nil {
		p.run(&key, diffBit, 1, 1)
		key.WriteString(sep + "leader differs now")
	} else {
		p.run(&key, cellFlash, 1, 1)
		key.WriteString(sep + "moved")
	}
	if !st.Color {
		key.WriteString("  @=cursor")
	}
	parts = append(parts, key.String())
	return strings.Join(parts, "  ")
}

func (m *Model) newPainter() *painter {
	st := m.common.Styles
	return newPainter(st.Color, len(st.Nodes), func(k cellKind) lipgloss.Style {
		switch k = k.base(); k {
		case cellAlive:
			return st.OK
		case cellSuspect:
			return st.Warn
		case cellDown:
			return st.Error
		case cellNoLeader:
			return st.NoLeader
		case cellFlash:
			return st.Flash
		}
		return st.Node(int(k))
	})
}

// kindOf returns how shard s is drawn, marked when its leader at the past
// epoch shown differs from now.
func (m *Model) kindOf(s int) cellKind { return m.kindIn(s, m.denials()) }

// kindIn is kindOf with the frame's denials computed once.
func (m *Model) kindIn(s int, denied map[int]map[string]bool) cellKind {
	k := m.leaderKind(s, denied)
	if m.changedNow(s) {
		return k.marked()
	}
	return k
}

// leaderKind returns shard s's leader colour, flash or no leader (also
// for a leader that denies leading its group: denied, from denials).
func (m *Model) leaderKind(s int, denied map[int]map[string]bool) cellKind {
	if m.Flashing(s) {
		return cellFlash
	}
	sh, ok := m.shard(s)
	if !ok {
		return cellNoLeader
	}
	if denied != nil {
		if g, ok := m.groupOf[s]; ok && denied[g][sh.Leader()] {
			return cellNoLeader
		}
	}
	if m.byHealth {
		return m.healthKind(sh.Leader())
	}
	i, ok := m.nodeIndex[sh.Leader()]
	if !ok {
		return cellNoLeader
	}
	return cellKind(i)
}

// heatmap writes the visible heatmap rows, one run per stretch of cells
// drawn alike.
func (m *Model) heatmap(b *strings.Builder) {
	g := m.geom
	denied := m.denials()
	total := m.totalShards()
	p := m.newPainter()
	st := m.common.Styles
	for r := g.first; r < g.first+g.rows && r < g.allRows; r++ {
		b.WriteByte('\n')
		start := r * g.cols
		if g.gutter > 0 {
			b.WriteString(st.Muted.Render(fmt.Sprintf("%*d ", g.gutter-1, start)))
		}
		end := min(start+g.cols, total)
		runKind, runLen := cellKind(0), 0
		for s := start; s < end; s++ {
			if s == m.cursor {
				if runLen > 0 {
					p.run(b, runKind, runLen, g.cellW)
					runLen = 0
				}
				b.WriteString(m.cursorCell(m.kindIn(s, denied), g.cellW))
				continue
			}
			k := m.kindIn(s, denied)
			if runLen > 0 && k != runKind {
				p.run(b, runKind, runLen, g.cellW)
				runLen = 0
			}
			runKind = k
			runLen++
		}
		if runLen > 0 {
			p.run(b, runKind, runLen, g.cellW)
		}
	}
}

func (m *Model) cursorCell(k cellKind, w int) string {
	st := m.common.Styles
	if !st.Color {
		return strings.Repeat("@", w)
	}
	base := st.NoLeader
	switch k = k.base(); {
	case k == cellFlash:
		base = st.Flash
	case k == cellAlive:
		base = st.OK
	case k == cellSuspect:
		base = st.Warn
	case k == cellDown:
		base = st.Error
	case k >= 0:
		base = st.Node(int(k))
	}
	return base.Reverse(true).Bold(true).Render(strings.Repeat("◆", w))
}

// detail explains the cursor's shard in two lines.
func (m *Model) detail() (string, string) {
	st := m.common.Styles
	sh, ok := m.shard(m.cursor)
	if !ok {
		return st.Muted.Render(fmt.Sprintf("shard %d", m.cursor)), ""
	}
	line := []string{st.Title.Render(fmt.Sprintf("shard %d", sh.ID))}
	if g, ok := m.groupOf[sh.ID]; ok {
		line = append(line, fmt.Sprintf("group %d", g))
	}
	leader := sh.Leader()
	denied := m.deniedLeader(sh.ID, leader)
	switch {
	case leader == "":
		line = append(line, st.Warn.Render("no leader (election?)"))
	case denied:
		// The view is older than the leader's own word (the groups table
		// says the same): found in tmux with two of three nodes stopped,
		// the last view named n1 while n1 led nothing.
		line = append(line, st.Warn.Render(fmt.Sprintf("no leader: %s says it does not lead group %d (the view is older)", leader, m.groupOf[sh.ID])))
	default:
		n, _ := m.view.Node(leader)
		line = append(line, "leader "+m.nodeLabel(leader)+" "+st.Muted.Render(n.Addr))
	}
	reps := make([]string, 0, len(sh.Replicas))
	for _, r := range sh.Replicas {
		reps = append(reps, r.NodeID)
	}
	line = append(line, "replicas "+strings.Join(reps, " "))
	if m.Flashing(sh.ID) {
		line = append(line, st.Warn.Render("leader just moved"))
	}
	if m.travel != nil {
		now := st.Muted.Render("same leader now")
		if l := m.liveLeader(sh.ID); l != leader {
			now = st.Warn.Render("now led by " + orNone(l))
		}
		return strings.Join(line, "  "), now
	}
	line2 := m.cacheLine(leader)
	if denied && m.route != nil && m.route.shard == m.cursor && m.route.route.LeaderID == leader {
		line2 = st.Warn.Render(fmt.Sprintf("client cache: %s, as the view; %s says it does not lead: requests for this shard wait for a leader", leader, leader))
	}
	return strings.Join(line, "  "), line2
}

// deniedLeader reports whether leader, the live view's leader of shard,
// says in its own report, newer than the view, that it does not lead the
// shard's group (deniesLeading, as the groups table reads it). Never
// while travelling: the past view is shown as it was.
func (m *Model) deniedLeader(shard int, leader string) bool {
	if leader == "" || m.travel != nil {
		return false
	}
	g, ok := m.groupOf[shard]
	if !ok {
		return false
	}
	return m.deniesLeading(leader, m.groups[g])
}

// healthKind is how a shard led by id is drawn when colouring by health.
func (m *Model) healthKind(id string) cellKind {
	if id == "" || m.view == nil {
		return cellNoLeader
	}
	n, _ := m.view.Node(id)
	switch n.Role {
	case "alive":
		return cellAlive
	case "suspect", "no answer":
		return cellSuspect
	}
	return cellDown
}

// banner says which past epoch is shown, how it differs from now, and how
// to get back.
func (m *Model) banner() string {
	st := m.common.Styles
	t := m.travel
	now := uint64(0)
	if m.live != nil {
		now = m.live.Epoch
	}
	return st.Warn.Render(fmt.Sprintf("TIME TRAVEL epoch %d (%s, now %d)", t.epoch, t.at.Format("15:04:05"), now)) +
		st.Muted.Render(fmt.Sprintf(" · %d shards led elsewhere now · esc: live", t.moved))
}

// cacheLine says whether the client's leader cache agrees with the view.
func (m *Model) cacheLine(viewLeader string) string {
	st := m.common.Styles
	r := m.route
	if r == nil || r.shard != m.cursor {
		return st.Muted.Render("client cache: …")
	}
	cached := r.route.LeaderID
	if cached == "" {
		cached = r.route.LeaderAddr
	}
	switch {
	case cached == "":
		return st.Warn.Render("client cache: no leader cached for this shard")
	case cached == viewLeader && !r.route.FromCache:
		return st.OK.Render("client cache: agrees with the view (" + cached + ")")
	case cached == viewLeader:
		return st.OK.Render("client cache: " + cached + ", learned from a redirect, agrees with the view")
	default:
		src := "from the view"
		if r.route.FromCache {
			src = "from a redirect"
		}
		return st.Warn.Render(fmt.Sprintf("client cache: %s (%s) but the view says %s", cached, src, orNone(viewLeader)))
	}
}

func orNone(s string) string {
	if s == "" {
		return "no leader"
	}
	return s
}
