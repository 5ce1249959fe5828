package keys

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/common"
)

// compareTable is the side by side comparison of what you read, theirs
// and yours: for JSON objects a row per field that differs (compared as
// values, not text: key order and spacing do not count), else the lines
// of each with the ones changed from what you read marked.
func (m *Model) compareTable() *comparison {
	header, rows, note := m.buildComparison()
	return &comparison{header: header, rows: rows, note: note}
}

// comparison is the side by side table: column names, rows of cells, and
// a line saying how it was compared.
type comparison struct {
	header []string
	rows   [][]string
	note   string
}

func (m *Model) buildComparison() (header []string, rows [][]string, note string) {
	e := m.edit
	yours, err := e.value()
	if err != nil {
		yours = nil
	}
	b, t, y := decodeObject(e.orig), decodeObject(e.theirs.Value), decodeObject(yours)
	if b != nil && t != nil && y != nil {
		fb, ft, fy := map[string]string{}, map[string]string{}, map[string]string{}
		flattenJSON(b, nil, fb)
		flattenJSON(t, nil, ft)
		flattenJSON(y, nil, fy)
		paths := map[string]bool{}
		for _, f := range []map[string]string{fb, ft, fy} {
			for p := range f {
				paths[p] = true
			}
		}
		sorted := make([]string, 0, len(paths))
		for p := range paths {
			sorted = append(sorted, p)
		}
		sort.Strings(sorted)
		same := 0
		for _, p := range sorted {
			bv, bok := fb[p]
			tv, tok := ft[p]
			yv, yok := fy[p]
			if bv == tv && tv == yv && bok == tok && tok == yok {
				same++
				continue
			}
			rows = append(rows, []string{p, cell(bv, bok, bv, bok, true), cell(tv, tok, bv, bok, false), cell(yv, yok, bv, bok, false)})
		}
		return []string{"FIELD", "YOU READ", "THEIRS", "YOURS"}, rows, fmt.Sprintf("JSON compared field by field · %d unchanged · ~ changed, + added, - removed", same)
	}
	bl, tl, yl := splitLines(e.orig), splitLines(e.theirs.Value), splitLines(yours)
	mt, my := lcsMatch(bl, tl), lcsMatch(bl, yl)
	kt, ky := kept(mt, len(tl)), kept(my, len(yl))
	for i := 0; i < max(len(bl), len(tl), len(yl)); i++ {
		row := make([]string, 3)
		if i < len(bl) {
			mark := "  "
			if mt[i] < 0 || my[i] < 0 {
				mark = "- "
			}
			row[0] = mark + bl[i]
		}
		if i < len(tl) {
			row[1] = lineMark(kt[i]) + tl[i]
		}
		if i < len(yl) {
			row[2] = lineMark(ky[i]) + yl[i]
		}
		rows = append(rows, row)
	}
	return []string{"YOU READ", "THEIRS", "YOURS"}, rows, "lines compared · + new since you read, - gone in theirs or yours"
}

// kept marks the lines of b matched to a line of a.
func kept(match []int, n int) []bool {
	out := make([]bool, n)
	for _, j := range match {
		if j >= 0 {
			out[j] = true
		}
	}
	return out
}

func lineMark(kept bool) string {
	if kept {
		return "  "
	}
	return "+ "
}

// cell renders a field's value marked against what you read.
func cell(v string, ok bool, base string, baseOK bool, isBase bool) string {
	switch {
	case !ok && isBase:
		return "  —"
	case isBase:
		return "  " + v
	case !ok && baseOK:
		return "- —"
	case !ok:
		return "  —"
	case !baseOK:
		return "+ " + v
	case v != base:
		return "~ " + v
	}
	return "  " + v
}

// flattenJSON lists an object's leaves by path (arrays are leaves).
func flattenJSON(o map[string]any, path []string, out map[string]string) {
	for k, v := range o {
		p := append(append([]string(nil), path...), k)
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flattenJSON(sub, p, out)
			continue
		}
		out[jsonPath(p)] = jsonText(v, true)
	}
}

// compareRows is how many rows the comparison has, for scrolling.
func (m *Model) compareRows() int {
	if m.edit.cmp == nil {
		return 0
	}
	return len(m.edit.cmp.rows)
}

// compareView draws the comparison in columns that share the width.
func (m *Model) compareView(height int) []string {
	st := m.common.Styles
	e := m.edit
	header, rows, note := append([]string(nil), e.cmp.header...), e.cmp.rows, e.cmp.note
	widths := columnWidths(m.width, len(header))
	header[len(header)-3] += " " + FormatVersion(e.base)
	header[len(header)-2] += " " + FormatVersion(e.theirs.Version)
	out := []string{st.Muted.Render(note), st.TableHeader.Render(common.FitLine(common.Columns(widths, header...), m.width))}
	for i := e.scroll; i < len(rows) && len(out) < height; i++ {
		cells := rows[i]
		line := common.Columns(widths, cells...)
		if changed(cells) {
			out = append(out, st.Warn.Render(line))
		} else {
			out = append(out, st.Text.Render(line))
		}
	}
	if len(rows) == 0 {
		out = append(out, st.Muted.Render("no difference: their value is what you read or what you wrote"))
	}
	return out
}

// changed reports whether a row holds a marked cell.
func changed(cells []string) bool {
	for _, c := range cells {
		if strings.HasPrefix(c, "~ ") || strings.HasPrefix(c, "+ ") || strings.HasPrefix(c, "- ") {
			return true
		}
	}
	return false
}

// columnWidths shares width between n columns (a first FIELD column of 4
// gets at most 24).
func columnWidths(width, n int) []int {
	w := make([]int, n)
	rest := width - (n - 1)
	if n == 4 {
		w[0] = min(24, rest/4)
		rest -= w[0]
		for i := 1; i < 4; i++ {
			w[i] = rest / 3
		}
		return w
	}
	for i := range w {
		w[i] = rest / n
	}
	return w
}

// mergeView draws the merge: the conflicts with their choices, then the
// merged value.
func (m *Model) mergeView(height int) []string {
	st := m.common.Styles
	e := m.edit
	r := e.merge
	head := fmt.Sprintf("your edit re-applied on theirs (%s) by %s · ", FormatVersion(e.theirs.Version), r.kind)
	switch n := len(r.conflicts); {
	case n == 0:
		head += "no conflict"
	default:
		head += fmt.Sprintf("%d conflicts, %d not chosen", n, r.unresolved())
	}
	out := []string{st.Muted.Render(head)}
	for i, c := range r.conflicts {
		choice := [...]string{"not chosen", "theirs", "yours", "both"}[c.choice]
		line := fmt.Sprintf("%s  read %s · theirs %s · yours %s  → %s", c.where, oneLine(c.base), oneLine(c.theirs), oneLine(c.yours), choice)
		switch {
		case i == e.mcur:
			out = append(out, st.Selected.Render(common.FitLine("> "+line, m.width)))
		case c.choice == chooseNone:
			out = append(out, st.Error.Render("  "+line))
		default:
			out = append(out, st.Text.Render("  "+line))
		}
	}
	out = append(out, st.Title.Render("MERGED")+st.Muted.Render(" (what ctrl+s saves; an unchosen conflict shows theirs)"))
	if v, err := r.value(); err == nil {
		for _, l := range strings.Split(string(v), "\n") {
			if len(out) >= height {
				break
			}
			out = append(out, st.Text.Render(l))
		}
	}
	return out
}

// oneLine shows a value on one line: newlines as ⏎, "—" when empty.
func oneLine(s string) string {
	if s == "" {
		return `""`
	}
	return ansi.Truncate(strings.ReplaceAll(s, "\n", "⏎"), 40, "…")
}
