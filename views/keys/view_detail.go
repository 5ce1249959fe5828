package keys

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/common"
)

// detailHeaderLines: key, metadata, TTL, status and value header.
const detailHeaderLines = 5

// readAgeShown is the age from which the detail says when its value was read.
const readAgeShown = 10 * time.Second

func (m *Model) detailView() string {
	st := m.common.Styles
	d := m.detail
	k := m.keys
	title := st.Title.Render("KEY ") + m.keyTitle(d.key, 4)
	if d.loading {
		title += st.Muted.Render("  reading…")
	}
	out := []string{title}
	hints := m.hints(hint{m.common.Keys.Back, "back"}, hint{k.Edit, "edit"}, hint{k.TTL, "TTL"}, hint{k.Delete, "delete"},
		hint{k.Refresh, "reload"}, hint{k.Hex, "hex"}, hint{k.PrevKey, "prev"}, hint{k.NextKey, "next"},
		hint{m.common.Keys.Filter, "search"}, hint{k.Wrap, "wrap"}, hint{k.Fold, "fold"})
	if d.res == nil {
		switch {
		case d.err != nil: // wrapped: the reason is often longer than the pane
			for _, l := range common.Wrap("✗ "+errorText(d.err), m.dw()) {
				out = append(out, st.Error.Render(l))
			}
		case d.loading:
			out = append(out, st.Muted.Render("reading the key…"))
		}
		return m.fitWithFooter(out, m.hints(hint{m.common.Keys.Back, "back"}, hint{k.Refresh, "read again"}))
	}
	r := d.res
	// After a failed reread the value is the earlier read's: the line says
	// when it was read (dropping the term/index spelled out, to fit 80
	// columns), so it is not taken for the answer to the read that failed.
	// So does a read older than readAgeShown: the value is a snapshot (it
	// is not read again by itself) and a user back at the screen minutes
	// later took "lease read" for the value now.
	reread := !d.readAt.IsZero() && (d.err != nil || m.now.Sub(d.readAt) >= readAgeShown)
	version := fmt.Sprintf("%s (term %d, index %d)", FormatVersion(r.Version), r.Version.Term, r.Version.Index)
	if reread {
		version = FormatVersion(r.Version)
	}
	meta := fmt.Sprintf("shard %s · version %s · %s", orDash(r.Meta["shard"]), version, FormatSize(uint64(len(r.Value))))
	if by := r.Meta["served_by"]; by != "" {
		meta += " · served by " + by
	}
	meta += " · " + d.readLevel.String() + " read"
	if reread {
		age := "<1s"
		if m.now.Sub(d.readAt) >= time.Second {
			age = FormatTTL(m.now, d.readAt) // from the read to now
		}
		meta += fmt.Sprintf(" at %s (%s ago)", d.readAt.In(m.loc).Format("15:04:05"), age)
	}
	out = append(out, st.Text.Render(meta), m.ttlLine())
	out = append(out, m.detailStatusLines()...)

	if d.view == nil { // not laid out yet (Update lays it out)
		return m.fitWithFooter(out, hints)
	}
	vw := d.view
	kind := vw.kind
	what := kind.String()
	switch {
	case d.hex || kind == kindBinary:
		what = fmt.Sprintf("%s, hex dump", what)
	case kind == kindJSON:
		what = "JSON, indented"
	}
	out = append(out, st.Title.Render("VALUE")+st.Muted.Render("  "+m.valueHeader(what)))
	rows := m.detailRows()
	for i := d.scroll; i < len(vw.rows) && i < d.scroll+rows; i++ {
		row := m.valueRow(vw.rows[i])
		if !vw.wrap && d.hoff > 0 {
			row = ansi.Cut(row, d.hoff, d.hoff+m.dw())
		}
		out = append(out, row)
	}
	if len(r.Value) == 0 {
		out = append(out, st.Muted.Render("(empty value)"))
	}
	return m.fitWithFooter(out, hints)
}

// detailRows is how many value lines the detail view shows: fewer while a
// failed read's reason takes more than its one status line.
func (m *Model) detailRows() int {
	extra := 0
	if m.detail != nil && m.detail.res != nil {
		extra = len(m.detailStatusLines()) - 1
	}
	return max(0, m.height-detailHeaderLines-1-extra)
}

// maxStatusLines bounds a failed read's reason, wrapped in the detail.
const maxStatusLines = 4

// detailStatusLines is the detail's status line, and the search's. A
// failed read's reason is wrapped at the detail's width (at most
// maxStatusLines lines, under the unknown outcome's line if any): a connection error names the address it failed
// at and the cause near its end, and cut at 80 columns it lost both
// (found by c34: "✗ connection to 127.0.0.1:7341 failed: no node answered
// ..." with the address of the failure and "connection refused" cut off).
func (m *Model) detailStatusLines() []string {
	st := m.common.Styles
	d := m.detail
	search := m.searchStatus()
	if d.err == nil || d.conflict != nil {
		return []string{strings.TrimSpace(m.detailStatus() + "  " + search)}
	}
	var out []string
	if d.unsettled != nil {
		for _, l := range common.Wrap(unsettledText, m.dw()) {
			out = append(out, st.Warn.Render(l))
		}
	}
	reason := common.Wrap("✗ "+errorText(d.err), m.dw())
	if len(reason) > maxStatusLines {
		reason = reason[:maxStatusLines]
		reason[maxStatusLines-1] = ansi.Truncate(reason[maxStatusLines-1], m.dw()-1, "") + "…"
	}
	for _, l := range reason {
		out = append(out, st.Error.Render(l))
	}
	if search != "" {
		out[len(out)-1] = strings.TrimSpace(out[len(out)-1] + "  " + search)
	}
	return out
}

// unsettledText says the last write's outcome is unknown.
const unsettledText = "? the last write's outcome is unknown (it may have been applied) · r reads the key; read again once a node answers"

// ttlLine shows the time left, counting down with the console's tick.
func (m *Model) ttlLine() string {
	st := m.common.Styles
	exp := m.detail.res.ExpiresAt()
	if exp.IsZero() {
		return st.Muted.Render("TTL none: the key never expires")
	}
	left := FormatTTL(exp, m.now)
	at := exp.In(m.loc).Format("2006-01-02 15:04:05 MST")
	if left == "expired" {
		return st.Warn.Render("TTL expired at " + at + ": the key is gone (r reads it again)")
	}
	return st.Warn.Render("TTL "+left+" left") + st.Muted.Render(" · expires "+at)
}

// detailStatus: a failed compare-and-swap, an error, or the last write.
func (m *Model) detailStatus() string {
	st := m.common.Styles
	d := m.detail
	switch {
	case d.conflict != nil:
		return st.Error.Render("✗ "+conflictText(d.key, d.conflict)) + st.Muted.Render(" · r reloads")
	case d.unsettled != nil:
		s := st.Warn.Render(unsettledText)
		if d.err != nil {
			s += st.Error.Render(" · ✗ " + errorText(d.err))
		}
		return s
	case d.err != nil:
		return st.Error.Render("✗ " + errorText(d.err))
	case m.writing:
		return st.Muted.Render("writing…")
	case d.note != "":
		return st.OK.Render("✓ " + d.note)
	}
	return ""
}

// conflictText explains a failed compare-and-swap.
func conflictText(k []byte, c *conflict) string {
	name := DisplayKey(k)
	switch {
	case c.missing:
		return fmt.Sprintf("conflict: %s was deleted after you read version %s", name, FormatVersion(c.expected))
	case c.current != nil:
		return fmt.Sprintf("conflict: %s is now version %s, you read %s", name, FormatVersion(*c.current), FormatVersion(c.expected))
	}
	return fmt.Sprintf("conflict: %s is no longer at version %s", name, FormatVersion(c.expected))
}

func (m *Model) editView() string {
	st := m.common.Styles
	e, k := m.edit, m.keys
	as := "as text"
	if e.hex {
		as = "as hex digits, two per byte"
	}
	what := fmt.Sprintf("  %s · read at version %s", as, FormatVersion(e.base))
	out := []string{st.Title.Render("EDIT ") + m.keyTitle(e.key, 5+ansi.StringWidth(what)) + st.Muted.Render(what)}
	hints := m.hints(hint{k.Save, "save if still " + FormatVersion(e.base)}, hint{k.Reload, "reload"}, hint{k.Cancel, "cancel"})
	switch {
	case e.conflict != nil && e.merge != nil:
		out = append(out, st.Error.Render("✗ "+conflictText(e.key, e.conflict)))
		out = append(out, m.mergeView(m.height-1-len(out))...)
		hints = m.hints(hint{k.TakeTheirs, "theirs"}, hint{k.TakeYours, "yours"}, hint{k.TakeBoth, "both"},
			hint{k.Save, "save if still " + FormatVersion(e.theirs.Version)}, hint{k.Cancel, "back"})
		return m.fitWithFooter(out, hints)
	case e.comparing():
		out = append(out, st.Error.Render("✗ "+conflictText(e.key, e.conflict)))
		out = append(out, m.compareView(m.height-1-len(out))...)
		hints = m.hints(hint{k.Merge, "merge yours into theirs"}, hint{k.Overwrite, "overwrite"}, hint{k.Reload, "load theirs"}, hint{k.Cancel, "cancel"})
		return m.fitWithFooter(out, hints)
	case e.conflict != nil:
		text := "✗ " + conflictText(e.key, e.conflict)
		if e.theirsErr != nil {
			text += " (" + e.theirsErr.Error() + ")"
		}
		out = append(out, st.Error.Render(text))
		hints = m.hints(hint{k.Reload, "load theirs (drops your edits)"}, hint{k.Overwrite, "overwrite with yours"}, hint{k.Cancel, "cancel"})
	case e.err != nil:
		out = append(out, st.Error.Render("✗ "+e.err.Error()))
	case m.writing:
		out = append(out, st.Muted.Render("saving…"))
	case e.expires.IsZero():
		out = append(out, st.Muted.Render("no TTL"))
	default:
		out = append(out, st.Muted.Render("the TTL is kept: "+FormatTTL(e.expires, m.now)+" left"))
	}
	out = append(out, m.areaView(e.area))
	return m.fitWithFooter(out, hints)
}

func (m *Model) formView() string {
	st := m.common.Styles
	f, k := m.form, m.keys
	out := []string{st.Title.Render("NEW KEY") + st.Muted.Render("  key, optional TTL, value"),
		f.keyIn.View(), f.ttlIn.View()}
	label := st.Muted.Render("value")
	if f.focus == 2 {
		label = st.Accent.Render("value")
	}
	out = append(out, label, m.areaView(f.area))
	footer := m.hints(hint{k.NextField, "next field"}, hint{k.Save, "save"}, hint{k.Cancel, "cancel"})
	switch {
	case f.err != nil:
		footer = st.Error.Render("✗ " + f.err.Error())
	case f.exists != nil:
		footer = st.Warn.Render(fmt.Sprintf("%s exists (version %s): %s again overwrites it, if unchanged; esc cancels",
			DisplayKey(f.existsKey), FormatVersion(*f.exists), k.Save.Help().Key))
	case m.writing:
		footer = st.Muted.Render("saving…")
	}
	return m.fitWithFooter(out, footer)
}

// fitWithFooter fits lines above a footer on the pane's last line.
// keyTitle is key as a title shows it after used columns: whole when it
// fits, else cut with "…" and its length, so a long key is not taken for a
// shorter one (the line was cut at the edge without a mark).
func (m *Model) keyTitle(key []byte, used int) string {
	st := m.common.Styles
	text := DisplayKey(key)
	room := m.dw() - used
	if ansi.StringWidth(text) <= room {
		return st.Text.Render(text)
	}
	size := fmt.Sprintf(" (%s bytes)", groupDigits(len(key)))
	return st.Text.Render(ansi.Truncate(text, max(1, room-len(size)), "…")) + st.Muted.Render(size)
}

func (m *Model) fitWithFooter(lines []string, footer string) string {
	body := common.Fit(strings.Join(lines, "\n"), m.dw(), m.height-1)
	return body + "\n" + common.FitLine(footer, m.dw())
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
