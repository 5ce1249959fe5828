package keys

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/norikv/norikv-console/ui/common"
)

// Values of more lines than autoFoldLines open with their nested JSON
// objects and arrays of more than foldMinLines lines folded: a 5,000-line
// document starts as its top-level outline.
const (
	autoFoldLines = 200
	foldMinLines  = 20
	// maxMatches bounds a search's memory on a huge value; n and N still
	// cycle through the ones kept and the header says there are more.
	maxMatches = 10000
)

// viewer is the detail view's value as shown: its logical lines (text,
// indented JSON or a hex dump), the JSON blocks that fold, a search, and
// the rows laid out for a width (wrapped or cut).
type viewer struct {
	lines  []string
	offs   []int     // byte offset of each line in the text shown
	total  int       // bytes of the text shown
	kind   valueKind // of the value (kept: classifying 1 MiB each frame cost ms)
	isJSON bool
	dump   bool // a hex dump: offs are per line, not per byte of a line
	// close maps a JSON block's opening line to its closing line; depth is
	// the opening line's nesting (0 for the outer value).
	close  map[int]int
	depth  map[int]int
	folded map[int]bool

	wrap    bool
	query   string
	matches []match
	more    bool // matches past maxMatches were not kept
	cur     int  // the current match, -1 for none

	rows  []vrow
	width int
}

// match is one occurrence of the query: a line and a byte offset in it.
type match struct{ line, col int }

// vrow is one screen row: bytes [from, to) of a line, or a folded block
// (fold is its closing line, 0 otherwise).
type vrow struct {
	line, from, to int
	fold           int
}

// newViewer lays out v for width: hex forces the hex dump.
func newViewer(v []byte, width int, hex bool) *viewer {
	vw := &viewer{wrap: true, cur: -1, close: map[int]int{}, depth: map[int]int{}, folded: map[int]bool{}}
	kind := kindOf(v)
	vw.kind = kind
	switch {
	case hex || kind == kindBinary:
		vw.lines, vw.dump = hexDump(v, width), true
		per := hexPerLine(width)
		for i := range vw.lines {
			vw.offs = append(vw.offs, i*per)
		}
		vw.total = len(v)
	case kind == kindJSON:
		var b bytes.Buffer
		text := string(v)
		if err := json.Indent(&b, bytes.TrimSpace(v), "", "  "); err == nil {
			text = b.String()
		}
		vw.isJSON = true
		vw.setText(text)
		vw.findBlocks()
	default:
		vw.setText(string(v))
	}
	if vw.isJSON && len(vw.lines) > autoFoldLines {
		vw.foldLarge()
	}
	vw.layout(width)
	return vw
}

// setText splits text into lines, keeping each line's offset (tabs are
// expanded after, so offsets count the stored bytes).
func (vw *viewer) setText(text string) {
	off := 0
	for _, l := range strings.Split(text, "\n") {
		vw.offs = append(vw.offs, off)
		off += len(l) + 1
		// Clusters terminals draw wider than measured (an emoji with a
		// skin tone) are escaped: padded to the width, such a line
		// wrapped and scrolled the screen.
		vw.lines = append(vw.lines, common.TermSafe(strings.ReplaceAll(l, "\t", "    ")))
	}
	vw.total = len(text)
}

// findBlocks pairs the lines that open a JSON object or array with the
// lines that close them (json.Indent puts each on a line of its own).
func (vw *viewer) findBlocks() {
	var stack []int
	for i, l := range vw.lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if (t[0] == '}' || t[0] == ']') && len(stack) > 0 {
			vw.close[stack[len(stack)-1]] = i
			stack = stack[:len(stack)-1]
		}
		if last := t[len(t)-1]; last == '{' || last == '[' {
			vw.depth[i] = len(stack)
			stack = append(stack, i)
		}
	}
}

// foldLarge folds every nested block of more than foldMinLines lines.
func (vw *viewer) foldLarge() {
	for open, end := range vw.close {
		if vw.depth[open] >= 1 && end-open > foldMinLines {
			vw.folded[open] = true
		}
	}
}

// toggleFoldAll unfolds everything when something is folded, else folds
// the large nested blocks; it reports whether anything is folded after.
func (vw *viewer) toggleFoldAll() bool {
	if len(vw.folded) > 0 {
		vw.folded = map[int]bool{}
	} else {
		vw.foldLarge()
	}
	vw.layout(vw.width)
	return len(vw.folded) > 0
}

// toggleFold folds the innermost block holding line, or unfolds it when
// line is a folded block; it returns the block's opening line (-1: none).
func (vw *viewer) toggleFold(line int) int {
	if vw.folded[line] {
		delete(vw.folded, line)
		vw.layout(vw.width)
		return line
	}
	best := -1
	for open, end := range vw.close {
		if open <= line && line <= end && open > best && end > open {
			best = open
		}
	}
	if best >= 0 {
		vw.folded[best] = true
		vw.layout(vw.width)
	}
	return best
}

// layout cuts the lines into rows of width columns.
func (vw *viewer) layout(width int) {
	vw.width = width
	vw.rows = vw.rows[:0]
	for i := 0; i < len(vw.lines); i++ {
		l := vw.lines[i]
		if end, ok := vw.close[i]; ok && vw.folded[i] {
			vw.rows = append(vw.rows, vrow{line: i, to: len(l), fold: end})
			i = end
			continue
		}
		if !vw.wrap || width < 1 || isASCII(l) && len(l) <= width {
			vw.rows = append(vw.rows, vrow{line: i, to: len(l)})
			continue
		}
		from, w := 0, 0
		for j, r := range l {
			rw := runewidth.RuneWidth(r)
			if w+rw > width && j > from {
				vw.rows = append(vw.rows, vrow{line: i, from: from, to: j})
				from, w = j, 0
			}
			w += rw
		}
		vw.rows = append(vw.rows, vrow{line: i, from: from, to: len(l)})
	}
}

// setQuery searches the lines for q (ASCII letters match either case) and
// makes the first match at or after line the current one.
func (vw *viewer) setQuery(q string, line int) {
	vw.query, vw.matches, vw.more, vw.cur = q, nil, false, -1
	if q == "" {
		return
	}
	lq := asciiLower(q)
	for i, l := range vw.lines {
		ll := asciiLower(l)
		for from := 0; ; {
			j := strings.Index(ll[from:], lq)
			if j < 0 {
				break
			}
			if len(vw.matches) == maxMatches {
				vw.more = true
				break
			}
			vw.matches = append(vw.matches, match{line: i, col: from + j})
			from += j + len(lq)
		}
	}
	for i, mt := range vw.matches {
		if mt.line >= line {
			vw.cur = i
			return
		}
	}
	if len(vw.matches) > 0 {
		vw.cur = 0
	}
}

// step moves to the next (+1) or previous (-1) match, wrapping around,
// and unfolds the blocks that hide it.
func (vw *viewer) step(delta int) bool {
	n := len(vw.matches)
	if n == 0 {
		return false
	}
	vw.cur = ((vw.cur+delta)%n + n) % n
	vw.reveal(vw.matches[vw.cur].line)
	return true
}

// reveal unfolds every block that hides line.
func (vw *viewer) reveal(line int) {
	changed := false
	for open := range vw.folded {
		if open < line && line <= vw.close[open] {
			delete(vw.folded, open)
			changed = true
		}
	}
	if changed {
		vw.layout(vw.width)
	}
}

// rowOf returns the row that shows byte col of line.
func (vw *viewer) rowOf(line, col int) int {
	best := 0
	for i, r := range vw.rows {
		if r.line > line {
			break
		}
		best = i
		if r.line == line && col < r.to {
			break
		}
	}
	return best
}

// position describes rows [top, top+n) as shown: the lines and the byte
// offset of the first.
func (vw *viewer) position(top, n int) (first, last, off int) {
	if len(vw.rows) == 0 {
		return 0, 0, 0
	}
	top = max(0, min(top, len(vw.rows)-1))
	end := max(top, min(top+n, len(vw.rows))-1)
	r := vw.rows[top]
	lastRow := vw.rows[end]
	last = lastRow.line + 1
	if lastRow.fold > 0 {
		last = lastRow.fold + 1
	}
	off = vw.offs[r.line]
	if !vw.dump {
		off += r.from
	}
	return r.line + 1, last, off
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiLower lowers ASCII letters only, so byte offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
