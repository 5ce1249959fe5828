package keys

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mattn/go-runewidth"

	"github.com/norikv/norikv-console/ui/common"
)

// layoutValue builds the detail value's rows for the pane's width and hex
// mode (once per change: View only draws) and keeps the scroll in range.
func (m *Model) layoutValue() {
	d := m.detail
	vw := d.view
	switch {
	case vw == nil || vw.dump != (d.hex || vw.kind == kindBinary) || vw.dump && vw.width != m.dw():
		vw = newViewer(d.res.Value, m.dw(), d.hex)
		d.view = vw
		if d.nowrap {
			vw.wrap = false
			vw.layout(m.dw())
		}
		if d.query != "" {
			vw.setQuery(d.query, 0)
		}
	case vw.width != m.dw():
		top := m.topLine()
		vw.layout(m.dw())
		d.scroll = vw.rowOf(top, 0)
	}
	d.scroll = max(0, min(d.scroll, len(vw.rows)-m.detailRows()))
}

// topLine is the value line on the detail view's first row.
func (m *Model) topLine() int {
	vw := m.detail.view
	if vw == nil || len(vw.rows) == 0 {
		return 0
	}
	return vw.rows[max(0, min(m.detail.scroll, len(vw.rows)-1))].line
}

// search looks for text in the detail value and shows the first match at
// or below the top row.
func (m *Model) search(text string) {
	d := m.detail
	d.query = text
	if d.view == nil {
		return
	}
	d.view.setQuery(text, m.topLine())
	if d.view.cur >= 0 {
		d.view.reveal(d.view.matches[d.view.cur].line)
		m.showMatch()
	}
}

// nextMatch moves to the next (+1) or previous (-1) match.
func (m *Model) nextMatch(delta int) tea.Cmd {
	d := m.detail
	switch {
	case d.view == nil:
		return nil
	case d.query == "":
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("no search in this value: press %s and type the text to find", m.common.Keys.Filter.Help().Key)})
	case !d.view.step(delta):
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("%q is not in this value", d.query)})
	}
	m.showMatch()
	return nil
}

// showMatch scrolls so the current match is on screen, a third down.
func (m *Model) showMatch() {
	d := m.detail
	vw := d.view
	if vw.cur < 0 {
		return
	}
	mt := vw.matches[vw.cur]
	row := vw.rowOf(mt.line, mt.col)
	if rows := m.detailRows(); row < d.scroll || row >= d.scroll+rows {
		d.scroll = max(0, row-rows/3)
	}
	if !vw.wrap { // the match's columns on screen
		col := runewidth.StringWidth(vw.lines[mt.line][:mt.col])
		if w := m.dw(); col < d.hoff || col+runewidth.StringWidth(vw.query) > d.hoff+w {
			d.hoff = max(0, col-w/3)
		}
	}
}

// scrollSideways moves the columns shown by half a width when lines are
// not wrapped.
func (m *Model) scrollSideways(right bool) tea.Cmd {
	d := m.detail
	if !d.nowrap {
		return common.MsgCmd(common.ErrorMsg{Err: fmt.Errorf("lines wrap: nothing to scroll sideways (%s turns wrapping off)", m.keys.Wrap.Help().Key)})
	}
	step := max(1, m.dw()/2)
	if right {
		d.hoff += step
	} else {
		d.hoff = max(0, d.hoff-step)
	}
	return nil
}

// toggleWrap wraps long lines or cuts them at the edge, keeping the top
// line in place.
func (m *Model) toggleWrap() {
	d := m.detail
	d.nowrap = !d.nowrap
	d.hoff = 0
	if vw := d.view; vw != nil {
		top := m.topLine()
		vw.wrap = !d.nowrap
		vw.layout(m.dw())
		d.scroll = vw.rowOf(top, 0)
	}
}

// fold folds or unfolds the innermost JSON block holding the current
// search match, else the top row (all: every large block).
func (m *Model) fold(all bool) tea.Cmd {
	d := m.detail
	vw := d.view
	if vw == nil {
		return nil
	}
	if !vw.isJSON {
		return common.MsgCmd(common.ErrorMsg{Err: errors.New("only JSON objects and arrays fold: this value is not JSON (or is shown as hex)")})
	}
	if all {
		vw.toggleFoldAll()
		d.scroll = 0
		return nil
	}
	line := m.topLine()
	if vw.cur >= 0 { // a search is on: the match's block
		line = vw.matches[vw.cur].line
	}
	if open := vw.toggleFold(line); open >= 0 {
		d.scroll = vw.rowOf(open, 0)
	}
	return nil
}

// valueHeader describes the value shown: its kind, the lines on screen of
// the total, the byte offset of the top row, wrapping, folds and the
// search.
func (m *Model) valueHeader(what string) string {
	vw := m.detail.view
	first, last, off := vw.position(m.detail.scroll, m.detailRows())
	parts := []string{what, fmt.Sprintf("lines %d-%d of %d", first, last, len(vw.lines)),
		fmt.Sprintf("byte %s of %s", groupDigits(off), groupDigits(vw.total))}
	if !vw.wrap {
		nw := "no wrap"
		if m.detail.hoff > 0 {
			nw = fmt.Sprintf("no wrap, from column %d", m.detail.hoff+1)
		}
		parts = append(parts, nw)
	}
	if n := len(vw.folded); n > 0 {
		parts = append(parts, fmt.Sprintf("%d folded", n))
	}
	return strings.Join(parts, " · ")
}

// searchStatus is the search's state for the detail's status line: the
// current match of how many, "" without a search.
func (m *Model) searchStatus() string {
	st := m.common.Styles
	vw := m.detail.view
	if vw == nil || vw.query == "" {
		return ""
	}
	if len(vw.matches) == 0 {
		return st.Warn.Render(fmt.Sprintf("search %q: no match", vw.query))
	}
	more := ""
	if vw.more {
		more = "+"
	}
	k := m.keys
	return st.Accent.Render(fmt.Sprintf("search %q: match %d of %d%s", vw.query, vw.cur+1, len(vw.matches), more)) +
		st.Muted.Render(fmt.Sprintf(" · %s next · %s previous", k.SearchNext.Help().Key, k.SearchPrev.Help().Key))
}

// valueRow renders one row of the value: a folded block as its first line,
// "…" and its last; matches of the search marked (the current one as the
// selection).
func (m *Model) valueRow(r vrow) string {
	st := m.common.Styles
	vw := m.detail.view
	l := vw.lines[r.line]
	if r.fold > 0 {
		return st.Text.Render(l) + st.Accent.Render(" … ") + st.Text.Render(strings.TrimSpace(vw.lines[r.fold])) +
			st.Muted.Render(fmt.Sprintf("  (%d lines folded)", r.fold-r.line-1))
	}
	if vw.query == "" || len(vw.matches) == 0 {
		return st.Text.Render(l[r.from:r.to])
	}
	var b strings.Builder
	pos := r.from
	i := sort.Search(len(vw.matches), func(i int) bool {
		mt := vw.matches[i]
		return mt.line > r.line || mt.line == r.line && mt.col+len(vw.query) > r.from
	})
	for ; i < len(vw.matches) && vw.matches[i].line == r.line && vw.matches[i].col < r.to; i++ {
		from, to := max(vw.matches[i].col, pos), min(vw.matches[i].col+len(vw.query), r.to)
		if from >= to {
			continue
		}
		b.WriteString(st.Text.Render(l[pos:from]))
		hl := st.Warn
		if i == vw.cur {
			hl = st.Selected
		}
		b.WriteString(hl.Render(l[from:to]))
		pos = to
	}
	b.WriteString(st.Text.Render(l[pos:r.to]))
	return b.String()
}

// groupDigits writes n with thousands separators: 8,213.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// viewerActions are the value viewer's palette entries.
func (m *Model) viewerActions() []common.Action {
	k := m.keys
	return []common.Action{
		{Title: "Search in the value", Help: "find text in the value shown (n next, N previous)", Keys: m.common.Keys.Filter.Help().Key,
			Prompt: "text to find in the value", Default: m.detail.query,
			Run: func(q string) tea.Cmd { return common.MsgCmd(viewerMsg{search: true, query: q}) }},
		{Title: "Wrap long lines on/off", Help: "wrap the value's long lines or cut them at the edge", Keys: k.Wrap.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(viewerMsg{wrap: true}) }},
		{Title: "Fold or unfold all JSON blocks", Help: "fold every JSON object or array of more than 20 lines, or unfold all", Keys: k.FoldAll.Help().Key,
			Run: func(string) tea.Cmd { return common.MsgCmd(viewerMsg{foldAll: true}) }},
	}
}

func (m *Model) onViewerMsg(msg viewerMsg) tea.Cmd {
	if m.mode != modeDetail || m.detail == nil {
		return nil
	}
	switch {
	case msg.search:
		m.search(strings.TrimSpace(msg.query))
	case msg.wrap:
		m.toggleWrap()
	case msg.foldAll:
		return m.fold(true)
	}
	return nil
}
