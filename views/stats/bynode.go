package stats

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// nodeCols are the widths of the per-node table: node, address, attempts,
// errors, p50, p99, then a bar of p99 against the slowest node.
var nodeCols = []int{8, 21, 9, 7, 7, 7, 0}

// nodeRow is one node's share of an operation.
type nodeRow struct {
	id, addr string
	o        client.OpStats
}

// nodeRows returns the selected operation's attempts by node, slowest p99
// first (ties by address).
func (m *Model) nodeRows(op string) []nodeRow {
	if m.last == nil {
		return nil
	}
	var rows []nodeRow
	for addr, o := range m.last.NodeOps[op] {
		id := m.nodeOf[addr]
		if id == "" {
			id = "?"
		}
		rows = append(rows, nodeRow{id: id, addr: addr, o: o})
	}
	sort.Slice(rows, func(i, j int) bool {
		pi, pj := rows[i].o.Latency.P99(), rows[j].o.Latency.P99()
		if pi != pj {
			return pi > pj
		}
		return rows[i].addr < rows[j].addr
	})
	return rows
}

// byNode draws the selected operation's latency split by node in height
// lines, in place of the graph: which node is slow.
func (m *Model) byNode(height int) []string {
	st := m.common.Styles
	op := m.Selected()
	if height < 3 || op == "" {
		return nil
	}
	title := st.Title.Render("LATENCY "+op+" BY NODE") + st.Muted.Render(" each request sent to a node, since the console started; slowest p99 first")
	rows := m.nodeRows(op)
	if len(rows) == 0 {
		return []string{title, st.Muted.Render(op + ": no request sent to any node yet")}
	}
	out := []string{title, st.TableHeader.Render(common.Columns(nodeCols, "NODE", "ADDRESS", " ATTEMPTS", " ERRORS", "    p50", "    p99", "p99 against the slowest"))}
	slowest, fastest := rows[0].o.Latency.P99(), rows[len(rows)-1].o.Latency.P99()
	barW := max(0, m.width-(8+21+9+7+7+7+6)-14)
	lat := func(d time.Duration) string { return fmt.Sprintf("%7s", common.FormatLatency(d)) }
	for i, r := range rows {
		if len(out) >= height {
			out[len(out)-1] = st.Muted.Render(fmt.Sprintf("… %d more nodes (a taller terminal shows them)", len(rows)-i+1))
			break
		}
		p99 := r.o.Latency.P99()
		bar := ""
		if slowest > 0 && barW > 0 {
			bar = strings.Repeat("█", max(1, int(int64(barW)*int64(p99)/int64(slowest))))
		}
		line := common.Columns(nodeCols, r.id, r.addr, fmt.Sprintf("%9d", r.o.Calls), fmt.Sprintf("%7d", r.o.Errors), lat(r.o.Latency.P50()), lat(p99), bar)
		switch {
		case i == 0 && len(rows) > 1 && fastest > 0 && p99 >= 2*fastest:
			line = st.Warn.Render(line + fmt.Sprintf(" slowest: %.1fx the fastest", float64(p99)/float64(fastest)))
		case r.o.Errors > 0:
			line = st.Error.Render(line)
		}
		out = append(out, line)
	}
	return out
}
