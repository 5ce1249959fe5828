package vectors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// listTop is the pane line of the first index row (after title and header).
const listTop = 2

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	if m.wide() {
		return m.wideView()
	}
	list, form, lat, resH := m.sections()
	out := append(list, form...)
	out = append(out, m.resultLines(resH)...)
	for len(out) < m.height-len(lat) {
		out = append(out, "")
	}
	out = append(out, lat...)
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

// sections draws the list, form and latency and says how many lines the
// results get between them.
func (m *Model) sections() (list, form, lat []string, resH int) {
	list = m.listLines()
	form = m.formLines()
	lat = m.latencyLines(m.latencyHeight(m.height - len(list) - len(form)))
	return list, form, lat, m.height - len(list) - len(form) - len(lat)
}

// layout fixes the results page size and scroll for the current size and
// content, so View only draws and paging knows the page.
func (m *Model) layout() {
	m.resultRows = 0
	if m.width < MinWidth || m.height < MinHeight || m.result == nil || m.result.res == nil {
		return
	}
	if m.wide() {
		m.wideLayout()
		return
	}
	_, _, _, resH := m.sections()
	head, table := m.resultHead()
	if !table {
		return
	}
	m.resultRows = max(0, resH-len(head))
	m.scroll = max(0, min(m.scroll, len(m.result.res.Matches)-m.resultRows))
}

// listRows is how many index rows the list shows at this size.
func (m *Model) listRows() int {
	return max(1, min(len(m.visible()), (m.height-8)/4))
}

// listFirst is the first index row shown, keeping the cursor on screen.
func (m *Model) listFirst() int {
	rows := m.listRows()
	return max(0, min(m.cursor-rows+1, len(m.visible())-rows))
}

// listColumns returns the index table's column widths for the pane width:
// cursor, namespace, dims, distance, type, count, size, shard, hnsw, served.
func (m *Model) listColumns() []int {
	ns := max(11, min(32, m.width-69))
	return []int{1, ns, 5, 10, 5, 7, 8, 5, 10, 9}
}

func (m *Model) listLines() []string {
	st := m.common.Styles
	title := st.Title.Render("VECTOR INDEXES")
	var note string
	switch {
	case m.unsupported:
		note = st.Warn.Render("  this server has no vector listing (upstream NoriKV): press n to type a namespace")
	case m.listErr != nil && !m.listOKAt.IsZero():
		// The rows are an older listing's: say how old before the error
		// (which the width may cut).
		note = st.Warn.Render(fmt.Sprintf("  %s listed %s ago · refresh failed: ", plural(len(m.indexes), "index", "indexes"), ago(m.now.Sub(m.listOKAt)))) +
			st.Error.Render(m.listErr.Error())
	case m.listErr != nil:
		note = st.Error.Render("  " + m.listErr.Error())
	case m.listedAt.IsZero() && m.common.Backend() == nil:
		note = st.Muted.Render("  not connected")
	case m.listedAt.IsZero():
		note = st.Muted.Render("  loading…")
	default:
		note = st.Muted.Render(fmt.Sprintf("  %s · refreshed %s ago · r refresh", plural(len(m.indexes), "index", "indexes"), ago(m.now.Sub(m.listedAt))))
		if n := len(m.unlisted); n > 0 {
			note += st.Warn.Render(fmt.Sprintf(" · %d not in the last listing (%s down)", n, strings.Join(m.down, ", ")))
		}
	}
	if l := m.sort.Label(); l != "" {
		note += st.Accent.Render("  sort: " + l)
	}
	if w := m.writesUnderWay(); w != "" {
		// First: a long error after it would push it out of the width.
		note = st.Accent.Render("  "+w) + note
	}
	cols := m.listColumns()
	out := []string{title + note,
		st.TableHeader.Render(common.Columns(cols, "", "NAMESPACE", " DIMS", "DISTANCE", "TYPE", "  COUNT", "    SIZE", "SHARD", "M/efC/ef", "SERVED"))}
	vis := m.visible()
	if len(vis) == 0 {
		msg := "no vector index yet: N creates one"
		switch {
		case m.filter != "" && len(m.indexes) > 0:
			msg = "no index matches the filter " + strconv.Quote(m.filter)
		case m.listErr != nil && m.listOKAt.IsZero() && !m.unsupported:
			msg = "not listed yet: the listing failed (the title says why; r tries again)"
		case m.unsupported || m.listErr != nil || m.listedAt.IsZero():
			msg = "-"
		}
		return append(out, st.Muted.Render("  "+msg))
	}
	first, rows := m.listFirst(), m.listRows()
	for i := first; i < first+rows && i < len(vis); i++ {
		row := m.indexRow(cols, vis[i])
		if i == m.cursor && vis[i].Namespace == m.selected() {
			row = st.Selected.Render(common.FitLine(">"+row[1:], min(m.width, sum(cols)+len(cols)-1)))
		}
		out = append(out, row)
	}
	return out
}

func (m *Model) indexRow(cols []int, ix client.VectorIndexInfo) string {
	hnsw := "-"
	if ix.IndexType != client.IndexBruteForce {
		hnsw = fmt.Sprintf("%s/%s/%s", orDefault(ix.M), orDefault(ix.EfConstruction), orDefault(ix.EfSearch))
	}
	served := ix.ServedBy
	switch {
	case m.unlisted[ix.Namespace]:
		served = "unlisted" // the column is 9 wide; the title says why
	case ix.FromLeader:
		served += " leader"
	case served != "":
		served += " copy"
	}
	typ := ix.IndexType.String()
	if ix.IndexType == client.IndexBruteForce {
		typ = "brute"
	}
	dist := ix.Distance.String()
	if ix.Distance == client.DistanceInnerProduct {
		dist = "inner_prod"
	}
	return common.Columns(cols, " ", ix.Namespace, fmt.Sprintf("%5d", ix.Dimensions), dist, typ,
		fmt.Sprintf("%7d", ix.Count), fmt.Sprintf("%8s", HumanBytes(ix.Bytes)), fmt.Sprintf("%5d", ix.Shard), hnsw, served)
}

// formLines draws the query form: target, query field, options, error.
func (m *Model) formLines() []string {
	st := m.common.Styles
	ns := m.selected()
	target := st.Muted.Render("pick an index above, or press n to type a namespace")
	if ix, ok := m.index(ns); ok {
		target = st.Text.Render(fmt.Sprintf("%s · %d dims · %s · %s", ns, ix.Dimensions, ix.Distance, ix.IndexType))
	} else if ns != "" {
		target = st.Text.Render(ns) + st.Muted.Render(" · not listed: dims unknown, the server checks them")
	}
	mode := "by vector"
	if m.mode == modeByID {
		mode = "by id"
	}
	out := []string{st.Title.Render("QUERY ") + target + st.Muted.Render("  ("+mode+", m switches)")}
	out = append(out, m.queryInput().View())
	opt := func(s string) string { return st.Muted.Render(s) }
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	// The toggles' keys are shown where there is room; help (?) lists them too.
	hint := func(k string) string {
		if m.width < 100 {
			return "  "
		}
		return " (" + k + ")  "
	}
	out = append(out, fitInput(m.inputs[fieldK])+"  "+fitInput(m.inputs[fieldEf])+"  "+
		opt("consistency ")+st.Accent.Render(m.Consistency().String())+opt(hint("c")+"vectors ")+st.Accent.Render(onOff(m.vectors))+
		opt(hint("v")+"exact ")+st.Accent.Render(onOff(m.exact))+opt(hint("E"))+m.inputs[fieldNS].View())
	switch {
	case m.formErr != nil:
		out = append(out, st.Error.Render(m.formErr.Error()))
	case m.focus != fieldNone:
		out = append(out, st.Muted.Render("enter searches · tab next field · esc stops typing · paste works"))
	}
	return out
}

// resultHead draws the results' heading: the title, recall and sweep lines
// and the table header; table is false when there is no table to follow
// (no search yet, an error, no match).
func (m *Model) resultHead() (out []string, table bool) {
	st := m.common.Styles
	r := m.result
	if r == nil {
		hint := "press enter to type a query, x for a random one, a to check recall"
		if m.searching {
			hint = "searching…"
		}
		return []string{st.Title.Render("RESULTS ") + st.Muted.Render(hint)}, false
	}
	head := st.Title.Render("RESULTS ") + st.Text.Render(r.req.namespace)
	if m.searching {
		head += st.Muted.Render(" · searching…")
	}
	if r.err != nil {
		out := []string{head}
		for _, l := range wrapText("search failed: "+r.err.Error(), m.width) {
			out = append(out, st.Error.Render(l))
		}
		if hint := searchHint(r.err, r.req.namespace); hint != "" {
			out = append(out, st.Muted.Render(hint))
		}
		return out, false
	}
	ef := "ef default"
	if r.req.ef > 0 {
		ef = "ef " + strconv.Itoa(r.req.ef)
	}
	switch {
	case r.res.Exact:
		ef = "exact scan"
	case r.req.exact:
		ef += " (exact scan asked, not confirmed by the server)"
	}
	head += st.Muted.Render(fmt.Sprintf(" · %d matches · ", len(r.res.Matches))) +
		st.Accent.Render("server "+common.FormatLatency(micros(r.res.SearchTimeUs))) + st.Muted.Render(" · ") +
		st.Accent.Render("round trip "+common.FormatLatency(r.rtt)) + st.Muted.Render(stalledNote(r)) +
		st.Muted.Render(fmt.Sprintf(" · %s, k %d, %s, %s", r.req.desc, r.req.k, ef, r.req.consistency))
	out = wrapStyled(head, m.width)
	if r.recall != nil {
		out = append(out, wrapStyled(m.recallLine(r), m.width)...)
	}
	if r.sweep != nil {
		out = append(out, m.sweepLines(r)...)
	}
	if len(r.res.Matches) == 0 {
		return append(out, st.Muted.Render("no match: the index is empty")), false
	}
	idW := max(8, min(40, m.width/4))
	cols := []int{5, idW, 11, 0}
	return append(out, st.TableHeader.Render(common.Columns(cols, "    #", "ID", "   DISTANCE", extraHeader(r.req.vectors)))), true
}

// resultLines draws the last search in height lines.
func (m *Model) resultLines(height int) []string {
	if height <= 0 {
		return nil
	}
	out, table := m.resultHead()
	if !table {
		return out
	}
	rows := height - len(out)
	if rows <= 0 {
		return out[:height]
	}
	r := m.result
	idW := max(8, min(40, m.width/4))
	cols := []int{5, idW, 11, 0}
	st := m.common.Styles
	// m.scroll was clamped by layout; clamp again only so a View before any
	// layout cannot index out of range.
	scroll := max(0, min(m.scroll, len(r.res.Matches)-rows))
	lo, hi := distanceRange(r.res.Matches)
	extraW := max(0, m.width-idW-5-11-3)
	for i := scroll; i < len(r.res.Matches) && i < scroll+rows; i++ {
		mt := r.res.Matches[i]
		extra := bar(mt.Distance, lo, hi, min(extraW, 20))
		if r.req.vectors {
			extra = FormatVector(mt.Vector, extraW)
		}
		id := mt.ID
		if id == r.req.byID {
			extra = st.Muted.Render("(the query's own id) ") + extra
		}
		out = append(out, common.Columns(cols, fmt.Sprintf("%5d", i+1), id, fmt.Sprintf("%11s", formatDistance(mt.Distance)), extra))
	}
	if more := len(r.res.Matches) - scroll - rows; more > 0 && len(out) > 0 {
		out[len(out)-1] = st.Muted.Render(fmt.Sprintf("  … %d more (pgdn)", more+1))
	}
	return out
}

// searchHint says what to do about a failed search, "" when the error
// says it all.
func searchHint(err error, ns string) string {
	switch {
	case errors.Is(err, client.ErrUnsupported):
		return "this server does not implement vector search (its Vector service answers UNIMPLEMENTED)"
	case errors.Is(err, client.ErrKeyNotFound):
		return "no index " + strconv.Quote(ns) + " (or no such id): pick an index above, or press N to create one"
	case errors.Is(err, context.DeadlineExceeded):
		return "the cluster may be electing a leader: press s to try again"
	}
	return ""
}

func extraHeader(vectors bool) string {
	if vectors {
		return "VECTOR"
	}
	return "CLOSENESS (among these results)"
}

// recallLine says how the last search compares with its reference, and
// what the reference was.
func (m *Model) recallLine(r *searchMsg) string {
	st := m.common.Styles
	rc := r.recall
	if rc.of == 0 {
		return st.Muted.Render("recall: the reference search found nothing to compare with")
	}
	val := float64(rc.hit) / float64(rc.of)
	style := st.OK
	switch {
	case val < 0.8:
		style = st.Error
	case val < 0.95:
		style = st.Warn
	}
	var what string
	same := rc.ref == r.req.namespace
	switch {
	case rc.exact && same:
		what = " vs an exact scan of the same index (server-confirmed)"
	case rc.exact:
		what = " vs an exact scan of index " + rc.ref + " (server-confirmed; compare indexes holding the same vectors)"
	case same:
		what = fmt.Sprintf(" vs ef=%d on the same index: the server did not confirm an exact scan, so this is an estimate", rc.refEf)
	default:
		what = " vs index " + rc.ref + ": the server did not confirm an exact scan, so this is exact only for a brute_force index with the same vectors"
	}
	return st.Text.Render(fmt.Sprintf("recall@%d ", r.req.k)) + style.Render(fmt.Sprintf("%.2f (%d/%d)", val, rc.hit, rc.of)) +
		st.Muted.Render(what+" · reference server "+common.FormatLatency(rc.refServer)+", round trip "+common.FormatLatency(rc.refTime))
}

// fitInput renders a short field as wide as its value (or placeholder).
func fitInput(in common.Input) string {
	in.Width = len(in.Value()) + 1
	if in.Value() == "" {
		in.Width = len(in.Prompt) + len(in.Placeholder) // the placeholder view counts the prompt in
	}
	return in.View()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func ago(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	return d.Round(time.Second).String()
}

func orDefault(n int) string {
	if n == 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}

// stalledNote says why a search's round trip is not in the latency graph:
// it ran across a stop of the console, and measures that. "" otherwise.
func stalledNote(r *searchMsg) string {
	if !r.stalled {
		return ""
	}
	return " (ran across a stop of the console: not a latency sample)"
}

func micros(us uint64) time.Duration { return time.Duration(us) * time.Microsecond }

func formatDistance(d float32) string { return strconv.FormatFloat(float64(d), 'g', 6, 32) }

// distanceRange returns the smallest and largest distance of matches.
func distanceRange(ms []client.VectorMatch) (lo, hi float32) {
	for i, mt := range ms {
		if i == 0 || mt.Distance < lo {
			lo = mt.Distance
		}
		if i == 0 || mt.Distance > hi {
			hi = mt.Distance
		}
	}
	return lo, hi
}

// bar draws d's place between lo and hi: a full bar for the best match.
func bar(d, lo, hi float32, width int) string {
	if width <= 0 {
		return ""
	}
	fill := width
	if hi > lo {
		fill = int(float32(width) * (1 - 0.9*(d-lo)/(hi-lo)))
	}
	fill = max(1, min(width, fill))
	return strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
}

// wrapStyled word-wraps a styled line to width columns.
func wrapStyled(s string, width int) []string {
	return strings.Split(ansi.Wordwrap(s, width, ""), "\n")
}

// wrapText breaks s into lines of at most width columns, at spaces when it can.
func wrapText(s string, width int) []string {
	var out []string
	for len(s) > width && width > 0 {
		cut := strings.LastIndex(s[:width], " ")
		if cut <= 0 {
			cut = width
		}
		out = append(out, s[:cut])
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(out, s)
}

// writesUnderWay names the writes sent and not answered yet, for the title.
func (m *Model) writesUnderWay() string {
	switch n := len(m.inFlight); n {
	case 0:
		return ""
	case 1:
		return m.inFlight[0] + ": waiting for the cluster…"
	default:
		return fmt.Sprintf("%s and %d more: waiting for the cluster…", m.inFlight[0], n-1)
	}
}
