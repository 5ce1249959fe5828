package cluster

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// heatGeom is the heatmap's geometry in pane coordinates, kept for mouse
// hit-testing and cursor scrolling.
type heatGeom struct {
	top        int // pane line of the first heatmap row
	gutter     int // columns of row labels
	cols       int // cells per row
	cellW      int // columns per cell: 2 on wide terminals, else 1
	rows       int // rows visible
	first      int // first row shown
	allRows    int
	tableTop   int      // pane line of the first node row
	tableNodes []string // node ids of the table rows, top to bottom
	tableTotal int      // nodes in the table when it scrolls, else 0
}

// shardAt maps a pane coordinate to a shard.
func (g heatGeom) shardAt(x, y int) (int, bool) {
	w := max(g.cellW, 1)
	if g.cols == 0 || y < g.top || y >= g.top+g.rows || x < g.gutter || x >= g.gutter+g.cols*w {
		return 0, false
	}
	return (g.first+y-g.top)*g.cols + (x-g.gutter)/w, true
}

// heatLayout picks cells per row: 64 when that fits the height, wider rows
// when the height is short, never wider than the width allows. Cells are two
// columns wide when the terminal has room for it, so the map stays square.
func heatLayout(total, width, availRows int) (gutter, cols, rows, cellW int) {
	if total <= 0 || width <= 0 {
		return 0, 0, 0, 1
	}
	gutter = len(strconv.Itoa(total-1)) + 1
	maxCols := width - gutter
	if maxCols < 16 {
		gutter, maxCols = 0, width
	}
	cols = min(64, maxCols)
	if availRows > 0 {
		if need := (total + availRows - 1) / availRows; need > cols {
			cols = min(need, maxCols)
		}
	}
	rows, cellW = (total+cols-1)/cols, 1
	if cols*2 <= maxCols {
		cellW = 2
	}
	return gutter, cols, rows, cellW
}

// cellKind says how one heatmap cell is drawn.
type cellKind int

const (
	cellNoLeader cellKind = -1
	cellFlash    cellKind = -2
	// cellNoLeaderDiff has no leader at a past epoch but has one now.
	cellNoLeaderDiff cellKind = -3
	// Colour by health: the leader's health instead of its identity.
	cellAlive   cellKind = -4
	cellSuspect cellKind = -5
	cellDown    cellKind = -6
	// healthDiff is added to a health kind whose shard's leader differs
	// from now (time travel while colouring by health).
	healthDiff cellKind = -10
	// Values >= 0 are node indexes; with diffBit added, the node led the
	// shard at the past epoch shown and no longer does.
	diffBit cellKind = 1 << 20
)

// base drops the "differs from now" mark.
func (k cellKind) base() cellKind {
	switch {
	case k == cellNoLeaderDiff:
		return cellNoLeader
	case k >= diffBit:
		return k - diffBit
	case k.healthMarked():
		return k - healthDiff
	}
	return k
}

// healthMarked reports whether k is a health kind marked as differing.
func (k cellKind) healthMarked() bool { return k >= cellDown+healthDiff && k <= cellAlive+healthDiff }

// marked returns k with the "differs from now" mark.
func (k cellKind) marked() cellKind {
	switch {
	case k == cellNoLeader:
		return cellNoLeaderDiff
	case k >= 0:
		return k + diffBit
	case k == cellAlive, k == cellSuspect, k == cellDown:
		return k + healthDiff
	}
	return k
}

// painter renders runs of cells with one style each, reusing each style's
// escape sequences so a 1024-cell frame costs a few string appends per run
// instead of a lipgloss render per cell.
type painter struct {
	color   bool
	palette int // node colours in the theme: beyond them cells carry glyphs
	pre     map[cellKind]string
	post    map[cellKind]string
	style   func(cellKind) lipgloss.Style
}

func newPainter(color bool, palette int, style func(cellKind) lipgloss.Style) *painter {
	return &painter{color: color, palette: palette, pre: map[cellKind]string{}, post: map[cellKind]string{}, style: style}
}

const marker = "\uE000"

func (p *painter) wrap(k cellKind) (string, string) {
	if pre, ok := p.pre[k]; ok {
		return pre, p.post[k]
	}
	r := p.style(k).Render(marker)
	i := strings.Index(r, marker)
	pre, post := "", ""
	if i >= 0 {
		pre, post = r[:i], r[i+len(marker):]
	}
	p.pre[k], p.post[k] = pre, post
	return pre, post
}

// glyph is the character of a cell kind: colour carries the leader in
// colour mode (with a glyph too once the theme's colours repeat), a
// per-node symbol carries it without colour.
func (p *painter) glyph(k cellKind) string {
	switch {
	case k == cellNoLeaderDiff && p.color:
		return "░"
	case k == cellNoLeaderDiff, (k >= diffBit || k.healthMarked()) && !p.color:
		return "!"
	case k >= diffBit, k.healthMarked():
		return "▒"
	case k == cellNoLeader:
		if p.color {
			return "·"
		}
		return "."
	case k == cellAlive, k == cellSuspect, k == cellDown:
		if p.color {
			return "█"
		}
		return map[cellKind]string{cellAlive: "+", cellSuspect: "?", cellDown: "x"}[k]
	case k == cellFlash:
		if p.color {
			return "█"
		}
		return "*"
	case p.color && int(k) < p.palette:
		return "█"
	}
	return nodeGlyph(int(k))
}

// run writes n cells of kind k, each w columns wide.
func (p *painter) run(b *strings.Builder, k cellKind, n, w int) {
	pre, post := p.wrap(k)
	b.WriteString(pre)
	g := p.glyph(k)
	for i := 0; i < n*w; i++ {
		b.WriteString(g)
	}
	b.WriteString(post)
}

const glyphs = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// nodeGlyph is the symbol of the i-th node without colour.
func nodeGlyph(i int) string {
	if i >= 0 && i < len(glyphs) {
		return glyphs[i : i+1]
	}
	return "#"
}
