package vectors

import (
	"fmt"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/views/chart"
)

// graphMinHeight is the pane height from which latency is drawn as a graph
// rather than two sparklines.
const graphMinHeight = 34

// Graph heights, in lines including the title and caption.
const (
	graphMin = 10
	graphMax = 18
)

// latencyHeight is how many lines the latency section takes out of avail
// lines left under the form: a graph on tall panes, taking what the results
// leave, else a sparkline per latency.
func (m *Model) latencyHeight(avail int) int {
	if m.height < graphMinHeight {
		return 3
	}
	need := 1 // the results title
	if r := m.result; r != nil && r.res != nil {
		need += 1 + len(r.res.Matches)
		if r.recall != nil {
			need++
		}
		if r.sweep != nil {
			need += len(r.sweep) + 2
		}
	}
	if avail-need < graphMin {
		return 3 // the results need the room: sparklines
	}
	return min(graphMax, avail-need)
}

// latencyLines draws the selected namespace's recent search latencies.
func (m *Model) latencyLines(height int) []string {
	st := m.common.Styles
	ns := m.selected()
	h := m.hist[ns]
	title := st.Title.Render("LATENCY ") + st.Text.Render(ns)
	if h.len() == 0 {
		return []string{title + st.Muted.Render(" · no search yet: latencies of the last "+fmt.Sprint(HistoryLen)+" searches show here")}
	}
	rtt50, rtt99 := h.percentile(50, pickRTT), h.percentile(99, pickRTT)
	srv50, srv99 := h.percentile(50, pickServer), h.percentile(99, pickServer)
	rttStats := fmt.Sprintf(" p50 %-6s p99 %-6s", common.FormatLatency(rtt50), common.FormatLatency(rtt99))
	srvStats := fmt.Sprintf(" p50 %-6s p99 %-6s", common.FormatLatency(srv50), common.FormatLatency(srv99))
	rtt, srv := h.series(pickRTT), h.series(pickServer)
	if height < 4 || len(rtt) < 2 {
		title += st.Muted.Render(" · last " + searches(h.len()) + ", each line scaled from 0 to its max")
		w := max(1, min(HistoryLen, m.width-11-len(rttStats)-1))
		return []string{title,
			st.Muted.Render("round trip ") + st.Accent.Render(common.FitLine(Sparkline(rtt, w), w)) + st.Text.Render(rttStats),
			st.Muted.Render("server     ") + st.OK.Render(common.FitLine(Sparkline(srv, w), w)) + st.Text.Render(srvStats)}
	}
	title += st.Muted.Render(" · last "+searches(h.len())+" · ") + st.Text.Render("round trip"+rttStats) +
		st.Muted.Render(" · ") + st.Text.Render("server"+srvStats)
	// One column per search, the newest at the right: nothing interpolated.
	plot, visible, _ := chart.Plot([]chart.Series{
		{Values: rtt, Glyph: "•", Style: st.Accent},
		{Values: srv, Glyph: "×", Style: st.OK},
	}, m.width, height-2, st.Muted)
	legend := st.Accent.Render("• round trip ms") + "  " + st.OK.Render("× server ms") +
		st.Muted.Render(fmt.Sprintf("  one column per search, last %s", searches(visible)))
	return append(append([]string{title}, plot...), legend)
}

func searches(n int) string {
	if n == 1 {
		return "search"
	}
	return plural(n, "search", "searches")
}
