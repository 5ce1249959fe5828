package cluster

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/ui/common"
)

// table column widths: node, address, health, leads, conn, rtt.
var tableCols = []int{8, 21, 8, 6, 5, 8}

// visibleNodes returns the node ids shown in the table, after the filter.
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
	return out
}

// layout computes the table and heatmap geometry for the current size and
// keeps the cursor's row on screen.
func (m *Model) layout() {
	nodes := m.visibleNodes()
	maxTable := max(1, m.height/3)
	if len(nodes) > maxTable {
		nodes = nodes[:maxTable]
	}
	g := heatGeom{tableTop: 1, tableNodes: nodes}
	tableLines := 1 + max(len(nodes), 1)
	g.top = tableLines + 1 // the legend line
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
	b.WriteString(st.TableHeader.Render(common.Columns(tableCols, "NODE", "ADDRESS", "HEALTH", " LEADS", "CONN", "RTT")))
	if m.view == nil {
		b.WriteString("\n" + st.Muted.Render("waiting for the first cluster view…"))
	}
	for _, id := range m.geom.tableNodes {
		b.WriteString("\n" + m.nodeRow(id))
	}
	if m.view != nil && len(m.geom.tableNodes) == 0 {
		b.WriteString("\n" + st.Muted.Render("no node matches the filter "+strconv.Quote(m.filter)))
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

func (m *Model) nodeLabel(id string) string {
	st := m.common.Styles
	i, ok := m.nodeIndex[id]
	if !ok {
		return st.Muted.Render(id)
	}
	if st.Color {
		return st.Node(i).Render("█ " + id)
	}
	return "[" + nodeGlyph(i) + "] " + id
}

func (m *Model) nodeRow(id string) string {
	st := m.common.Styles
	n, _ := m.view.Node(id)
	health := n.Role
	hs := st.OK
	switch n.Role {
	case "suspect":
		hs = st.Warn
	case "dead":
		hs = st.Error
	}
	conn, rtt := "no", "-"
	if m.connected[n.Addr] {
		conn = "yes"
	}
	if info := m.nodes[id]; info != nil && info.polled {
		if info.err != nil {
			rtt = "unreach"
		} else {
			rtt = common.FormatLatency(info.rtt)
		}
	}
	return common.Columns(tableCols,
		m.nodeLabel(id), n.Addr, hs.Render(health), fmt.Sprintf("%6d", m.leads[id]), conn, rtt)
}

// legend is the line above the heatmap: count, epoch and the colour key.
func (m *Model) legend() string {
	st := m.common.Styles
	parts := []string{st.Title.Render(fmt.Sprintf("SHARDS %d", m.totalShards()))}
	if m.view != nil {
		parts = append(parts, st.Muted.Render(fmt.Sprintf("epoch %d", m.view.Epoch)))
	}
	p := m.newPainter()
	sep := " "
	if !st.Color {
		sep = "="
	}
	var key strings.Builder
	for i, id := range m.nodeIDs {
		if i > 0 {
			key.WriteByte(' ')
		}
		p.run(&key, cellKind(i), 1, 1)
		key.WriteString(sep + id)
	}
	key.WriteString("  ")
	p.run(&key, cellNoLeader, 1, 1)
	key.WriteString(sep + "no leader  ")
	p.run(&key, cellFlash, 1, 1)
	key.WriteString(sep + "moved")
	if !st.Color {
		key.WriteString("  @=cursor")
	}
	parts = append(parts, key.String())
	return strings.Join(parts, "  ")
}

func (m *Model) newPainter() *painter {
	st := m.common.Styles
	return newPainter(st.Color, func(k cellKind) lipgloss.Style {
		switch k {
		case cellNoLeader:
			return st.NoLeader
		case cellFlash:
			return st.Flash
		}
		return st.Node(int(k))
	})
}

// kindOf returns how shard s is drawn.
func (m *Model) kindOf(s int) cellKind {
	if m.Flashing(s) {
		return cellFlash
	}
	sh, ok := m.shard(s)
	if !ok {
		return cellNoLeader
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
				b.WriteString(m.cursorCell(m.kindOf(s), g.cellW))
				continue
			}
			k := m.kindOf(s)
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
	switch {
	case k == cellFlash:
		base = st.Flash
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
	if leader == "" {
		line = append(line, st.Warn.Render("no leader (election?)"))
	} else {
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
	return strings.Join(line, "  "), m.cacheLine(leader)
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
