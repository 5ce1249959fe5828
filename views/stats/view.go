package stats

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/stats"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/views/chart"
)

// table column widths: op, ops/s, p50, p95, p99, errors, retries, redirects.
var cols = []int{19, 8, 7, 7, 7, 7, 7, 9}

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	st := m.common.Styles
	if m.last == nil {
		return common.Fit(st.Title.Render("CLIENT STATS")+"\n"+st.Muted.Render("waiting for the first sample…"), m.width, m.height)
	}
	footer := m.footer()
	var out []string
	opHead := "OPERATION"
	if l := m.sort.Label(); l != "" { // in the first cell: the row has no spare column at 80
		opHead += " " + l
	}
	head := "  " + common.Columns(cols, opHead, "   ops/s", "    p50", "    p95", "    p99", " errors", "retries", "redirects")
	sw := m.sparkWidth()
	if sw > 0 {
		head += "   " + common.FitLine(fmt.Sprintf("p99, last %d s (each row its own scale)", sw), sw)
	}
	out = append(out, st.TableHeader.Render(head))
	for i := m.first; i < len(m.ops) && i < m.first+m.rows; i++ {
		r := m.row(m.ops[i])
		if sw > 0 {
			r += "   " + m.spark(m.ops[i], sw)
		}
		row := "  " + r
		if i == m.cursor {
			row = st.Selected.Render(common.FitLine("> "+r, min(m.width, tableWidth+3+sw)))
		}
		out = append(out, row)
	}
	if idle := len(m.last.Ops) - len(m.ops); len(m.ops) == 0 || (idle > 0 && !m.showAll) {
		out = append(out, st.Muted.Render(fmt.Sprintf("%d operations not called yet (a: show all)", idle)))
	}
	graphH := m.height - len(out) - len(footer)
	if m.split {
		out = append(out, m.byNode(graphH)...)
	} else {
		out = append(out, m.graph(graphH)...)
	}
	for len(out) < m.height-len(footer) {
		out = append(out, "")
	}
	out = append(out, footer...)
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

func (m *Model) row(op string) string {
	o := m.last.Ops[op]
	rate := "-"
	if r, ok := m.rate(op); ok {
		rate = fmt.Sprintf("%8.1f", r)
	}
	lat := func(d time.Duration) string { return fmt.Sprintf("%7s", common.FormatLatency(d)) }
	return common.Columns(cols, op, fmt.Sprintf("%8s", rate), lat(o.Latency.P50()), lat(o.Latency.P95()), lat(o.Latency.P99()),
		fmt.Sprintf("%7d", o.Errors), fmt.Sprintf("%7d", o.Retries), fmt.Sprintf("%9d", o.Redirects))
}

// graph draws the selected operation's p50 and p99 per second in height
// lines: one column per sample, idle seconds left blank.
func (m *Model) graph(height int) []string {
	st := m.common.Styles
	op := m.Selected()
	if height < 4 || op == "" {
		return nil
	}
	ser := m.rec.Series(op)
	title := st.Title.Render("LATENCY "+op) + st.Muted.Render(" p50 and p99 per second, ms")
	if ser == nil || len(ser.Points) < 2 {
		return []string{title, st.Muted.Render("collecting samples… (one per second)")}
	}
	// Columns are wall-clock seconds, whatever the refresh rate or a stall
	// of the console spaced the samples.
	secs := ser.PerSecond(History)
	p50 := chart.Series{Values: gaps(secs, func(p stats.Point) time.Duration { return p.P50 }), Glyph: "•", Style: st.OK}
	p99 := chart.Series{Values: gaps(secs, func(p stats.Point) time.Duration { return p.P99 }), Glyph: "×", Style: st.Error}
	// p50 is drawn last: where both fall in one cell the typical latency shows.
	plot, visible, finite := chart.Plot([]chart.Series{p99, p50}, m.width, height-2, st.Muted)
	if !finite {
		return []string{title, st.Muted.Render(fmt.Sprintf("%s: no requests in the last %d s", op, visible))}
	}
	legend := st.OK.Render("• p50") + "  " + st.Error.Render("× p99") + st.Muted.Render(fmt.Sprintf("  one column per second, last %d s; blank: no requests", visible))
	out := append([]string{title}, plot...)
	return append(out, legend)
}

// gaps returns a percentile in ms per point, NaN where the interval had no
// request (the chart leaves the column blank rather than drawing a false zero).
func gaps(pts []stats.Point, pick func(stats.Point) time.Duration) []float64 {
	ms := make([]float64, len(pts))
	for i, p := range pts {
		ms[i] = float64(pick(p)) / float64(time.Millisecond)
		if p.Requests == 0 {
			ms[i] = math.NaN()
		}
	}
	return ms
}

// footer shows errors by code and the pool, router and topology state,
// wrapped to the pane's width.
func (m *Model) footer() []string {
	st := m.common.Styles
	s := m.last
	var codes []string
	for c, n := range s.Requests.ErrorsByCode {
		codes = append(codes, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codes)
	errs := "errors by code: none"
	if len(codes) > 0 {
		errs = "errors by code: " + strings.Join(codes, ", ")
	}
	t := s.Topology
	out := []string{st.Text.Render(common.FitLine(errs, m.width))}
	segs := []string{
		fmt.Sprintf("total %d calls, %d retries, %d redirects", s.Requests.Calls, s.Requests.Retries, s.Requests.Redirects),
		fmt.Sprintf("pool %d conns (%d dials, %d dropped)", s.Pool.ActiveConnections, s.Pool.Dials, s.Pool.Dropped),
		fmt.Sprintf("router %d nodes, %d shards, %d seeds", s.Router.TotalNodes, s.Router.TotalShards, s.Router.SeedNodes),
		fmt.Sprintf("topology epoch %d, %d views (%d ignored)", t.Epoch, t.ViewsReceived, t.ViewsIgnored),
		fmt.Sprintf("%d leaders cached", t.CachedLeaders),
		fmt.Sprintf("watch %s, %d restarts", orDash(t.WatchNode), t.WatchRestarts),
	}
	if n := suspendedCalls(s); n > 0 {
		segs = append(segs, fmt.Sprintf("%d calls ran across a stop of the console (latency left out)", n))
	}
	if h := m.hist; h != nil {
		segs = append(segs, fmt.Sprintf("time travel: %d epochs kept (%d let go), %s", h.Epochs, h.Dropped, bytesText(h.Bytes)))
	}
	for _, l := range wrap(segs, m.width, " · ") {
		out = append(out, st.Muted.Render(l))
	}
	return out
}

// suspendedCalls is how many calls of every operation ran across a stop
// of the process (SIGSTOP, ctrl+z, a paused VM): counted, but without
// their latency, which was the stop's (client OpStats.Suspended).
func suspendedCalls(s *client.Stats) uint64 {
	var n uint64
	for _, o := range s.Ops {
		n += o.Suspended
	}
	return n
}

// wrap joins segments with sep into lines no wider than width.
func wrap(segs []string, width int, sep string) []string {
	var out []string
	line := ""
	for _, s := range segs {
		switch {
		case line == "":
			line = s
		case len(line)+len(sep)+len(s) <= width:
			line += sep + s
		default:
			out = append(out, line)
			line = s
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// bytesText renders a memory size: 812 B, 14.2 KiB, 3.1 MiB.
func bytesText(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
