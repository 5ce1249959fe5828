// Package chart draws the small time charts of the console's panes. Each
// sample gets exactly one column and a sample without a value (NaN: nothing
// happened in that slot) is left blank. Nothing is interpolated: stretching a
// gappy series to the screen width is what let NaNs spread over a whole graph
// (and crash asciigraph on an all-NaN series).
package chart

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Series is one line of a chart: one value per time slot, oldest first, NaN
// (or ±Inf) where the slot has no value.
type Series struct {
	Values []float64
	// Glyph marks the series' value in its column.
	Glyph string
	Style lipgloss.Style
}

// Plot draws series in exactly height lines of exactly width cells: a y axis
// from 0 to the largest visible value on the left (when there is room for
// it) and, right-aligned so the newest slot is always at the right edge, the
// last slots that fit, one column each. Later series are drawn over earlier
// ones where they share a cell. Visible reports how many slots are shown
// (the caller names the time span), and Finite whether any shown slot holds
// a value; when it holds none the plot is blank.
func Plot(series []Series, width, height int, axis lipgloss.Style) (lines []string, visible int, finite bool) {
	if width <= 0 || height <= 0 {
		return nil, 0, false
	}
	labelW := axisWidth
	if height < 2 || width < axisWidth+4 {
		labelW = 0 // no room for an axis: the plot alone
	}
	plotW := width - labelW
	for _, s := range series {
		visible = max(visible, min(len(s.Values), plotW))
	}
	top, finite := maxFinite(series, visible)

	grid := make([][]string, height)
	for r := range grid {
		grid[r] = make([]string, plotW)
		for c := range grid[r] {
			grid[r][c] = " "
		}
	}
	for _, s := range series {
		// Series are aligned on their newest value, at the right edge.
		for i := len(s.Values) - min(len(s.Values), visible); i < len(s.Values); i++ {
			if v := s.Values[i]; isFinite(v) {
				grid[row(v, top, height)][plotW-(len(s.Values)-i)] = s.Style.Render(s.Glyph)
			}
		}
	}

	lines = make([]string, height)
	for r := range grid {
		var b strings.Builder
		if labelW > 0 {
			b.WriteString(axis.Render(axisCell(r, height, top)))
		}
		b.WriteString(strings.Join(grid[r], ""))
		lines[r] = b.String()
	}
	return lines, visible, finite
}

// axisWidth is the width of the y axis: a label of up to six characters, a
// space and the axis line.
const axisWidth = 8

// row maps v in [0, top] to a grid row, 0 at the top.
func row(v, top float64, height int) int {
	if top <= 0 || v <= 0 {
		return height - 1
	}
	r := int(math.Round(v / top * float64(height-1)))
	return height - 1 - max(0, min(height-1, r))
}

// axisCell is the label column of row r: values on the top, middle (when
// tall enough) and bottom rows, a plain axis line elsewhere.
func axisCell(r, height int, top float64) string {
	text, tick := "", "│"
	switch {
	case r == 0:
		text, tick = label(top), "┤"
	case r == height-1:
		text, tick = label(0), "┤"
	case height >= 5 && r == (height-1)/2:
		text, tick = label(top*float64(height-1-r)/float64(height-1)), "┤"
	}
	return strings.Repeat(" ", axisWidth-2-len(text)) + text + " " + tick
}

// label formats an axis value in at most six characters, with up to two
// decimals.
func label(v float64) string {
	switch {
	case v >= 1e5:
		return strconv.FormatFloat(v, 'e', 0, 64) // 1e+05
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// maxFinite returns the largest finite value among the last n of each
// series (at least 0) and whether there is any.
func maxFinite(series []Series, n int) (float64, bool) {
	top, seen := 0.0, false
	for _, s := range series {
		for i := len(s.Values) - min(n, len(s.Values)); i < len(s.Values); i++ {
			if v := s.Values[i]; isFinite(v) {
				top, seen = max(top, v), true
			}
		}
	}
	return top, seen
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
