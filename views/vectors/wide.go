package vectors

import (
	"strings"

	"github.com/norikv/norikv-console/ui/common"
)

// WideAt is the width from which the pane puts the index list, form and
// latency on the left and the results on the right, so a 200-column
// terminal shows a full page of results next to the list.
const WideAt = 160

// leftWide is the left column's width in the wide layout: the index table
// at its full width.
const leftWide = 88

func (m *Model) wide() bool { return m.width >= WideAt }

// halves returns copies of the model sized to the left and right columns;
// drawing them reads the same data (the copies share maps and results).
func (m *Model) halves() (left, right Model) {
	left, right = *m, *m
	left.width = leftWide - 2 // a gap before the separator
	right.width = m.width - leftWide - 1
	return left, right
}

// wideView draws the wide layout.
func (m *Model) wideView() string {
	l, r := m.halves()
	list, form := l.listLines(), l.formLines()
	lh := m.height - len(list) - len(form)
	lines := append(list, form...)
	if lh > 0 {
		lines = append(lines, l.latencyLines(lh)...)
	}
	right := r.resultLines(m.height)
	sep := m.common.Styles.Muted.Render("│")
	out := make([]string, m.height)
	for i := range out {
		var a, b string
		if i < len(lines) {
			a = lines[i]
		}
		if i < len(right) {
			b = right[i]
		}
		out[i] = common.FitLine(a, leftWide) + sep + common.FitLine(b, r.width)
	}
	return strings.Join(out, "\n")
}

// wideLayout fixes the results page for the wide layout: the right column
// has the whole height.
func (m *Model) wideLayout() {
	_, r := m.halves()
	head, table := r.resultHead()
	if !table {
		return
	}
	m.resultRows = max(0, m.height-len(head))
	m.scroll = max(0, min(m.scroll, len(m.result.res.Matches)-m.resultRows))
}
