package chart

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

var nan = math.NaN()

// shapes are the series that broke the old interpolating graph: gaps, a lone
// point between gaps, nothing at all, and only idle slots.
var shapes = map[string][]float64{
	"empty":         nil,
	"single":        {3},
	"lone in gaps":  {nan, 2.5, nan},
	"sparse":        {nan, nan, 1, nan, nan, nan, 40, nan, 0, nan},
	"all idle":      {nan, nan, nan, nan},
	"zeros":         {0, 0, 0},
	"inf and huge":  {math.Inf(1), 1e300, nan, 7},
	"long":          ramp(700),
	"long gappy":    gappy(700),
	"negative junk": {-5, nan, math.Inf(-1)},
}

func ramp(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i) / 3
	}
	return out
}

func gappy(n int) []float64 {
	out := ramp(n)
	for i := range out {
		if i%7 != 3 {
			out[i] = nan
		}
	}
	return out
}

func TestPlotExactSizeNoPanicEveryWidth(t *testing.T) {
	for name, vals := range shapes {
		for w := 1; w <= 300; w++ {
			for _, h := range []int{1, 2, 3, 4, 5, 8, 20, 60} {
				lines, visible, _ := Plot([]Series{{Values: vals, Glyph: "x"}, {Values: vals, Glyph: "o"}}, w, h, lipgloss.NewStyle())
				if len(lines) != h {
					t.Fatalf("%s %dx%d: %d lines", name, w, h, len(lines))
				}
				for i, l := range lines {
					if got := ansi.StringWidth(l); got != w {
						t.Fatalf("%s %dx%d: line %d is %d wide: %q", name, w, h, i, got, l)
					}
				}
				if visible > w || visible > len(vals) {
					t.Fatalf("%s %dx%d: visible %d", name, w, h, visible)
				}
			}
		}
	}
}

func TestPlotOneColumnPerSlotNoInterpolation(t *testing.T) {
	lines, visible, finite := Plot([]Series{{Values: []float64{nan, 4, nan, nan, 2, nan}, Glyph: "x"}}, 20, 5, lipgloss.NewStyle())
	if !finite || visible != 6 {
		t.Fatalf("visible %d finite %v", visible, finite)
	}
	got := strings.Join(lines, "\n")
	if n := strings.Count(got, "x"); n != 2 {
		t.Fatalf("want exactly 2 marks (no interpolation across idle slots), got %d:\n%s", n, got)
	}
	// Right-aligned: the newest slot (NaN) is the last column, the 2 one left of it.
	plot := func(r int) string { return string([]rune(lines[r])[axisWidth:]) }
	if plot(0) != "       x    " || plot(2) != "          x " {
		t.Fatalf("marks misplaced:\n%s", got)
	}
	if !strings.HasPrefix(lines[0], "  4.00 ┤") || !strings.HasPrefix(lines[4], "  0.00 ┤") {
		t.Fatalf("axis labels:\n%s", got)
	}
}

func TestPlotAllIdleIsNotFinite(t *testing.T) {
	_, visible, finite := Plot([]Series{{Values: []float64{nan, nan, nan}, Glyph: "x"}}, 40, 6, lipgloss.NewStyle())
	if finite || visible != 3 {
		t.Fatalf("visible %d finite %v, want 3 and false", visible, finite)
	}
	// A value outside the shown window does not count.
	vals := append([]float64{5}, []float64{nan, nan, nan, nan, nan}...)
	_, visible, finite = Plot([]Series{{Values: vals, Glyph: "x"}}, 3, 1, lipgloss.NewStyle())
	if finite || visible != 3 {
		t.Fatalf("old value outside a 3-wide window: visible %d finite %v", visible, finite)
	}
}
