package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// feedCalls feeds one stats sample per second; calls[i] is how many put
// requests completed in second i (the first sample is the baseline).
func feedCalls(calls []uint64) *Model {
	m := New(uitest.Common())
	var total uint64
	for i, n := range calls {
		total += n
		m.Update(common.StatsMsg{At: t0.Add(time.Duration(i) * time.Second),
			Stats: client.Stats{Ops: map[string]client.OpStats{"put": {Calls: total}}}})
	}
	return m
}

// graphShapes are the per-second request counts that crashed the old graph
// (asciigraph interpolated NaN gaps over the whole width, and an all-NaN
// series made it allocate a negative slice).
var graphShapes = map[string][]uint64{
	"empty":                {},
	"baseline only":        {0},
	"single point":         {0, 1},
	"one put then 4s idle": {0, 1, 0, 0, 0, 0},
	"lone point in gaps":   {0, 0, 1, 0},
	"sparse":               {0, 3, 0, 0, 1, 0, 0, 0, 7, 0, 0},
	"all idle":             {0, 0, 0, 0, 0, 0},
	"idle 20s after burst": append([]uint64{0, 50, 50}, make([]uint64, 20)...),
	"busy then idle long":  append(append([]uint64{0}, repeat(5, 30)...), make([]uint64, 320)...),
}

func repeat(n uint64, times int) []uint64 {
	out := make([]uint64, times)
	for i := range out {
		out[i] = n
	}
	return out
}

func TestGraphShapesEverySizeNoPanic(t *testing.T) {
	for name, calls := range graphShapes {
		m := feedCalls(calls)
		for w := 1; w <= 300; w++ {
			for _, h := range []int{1, 6, 10, 24, 60} {
				m.SetSize(w, h)
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("%s at %dx%d: panic %v", name, w, h, r)
						}
					}()
					uitest.RequireSize(t, m.View(), w, h)
				}()
			}
		}
	}
}

func TestGraphSaysWhenNothingIsFinite(t *testing.T) {
	m := feedCalls([]uint64{0, 0, 0, 0, 0})
	m.SetSize(80, 24)
	m.Update(keyA()) // show idle operations so put is listed
	if v := m.View(); !strings.Contains(v, "put: no requests in the last 4 s") {
		t.Fatalf("all-idle graph should say so:\n%s", v)
	}
	// One request long ago, outside the columns shown: still nothing finite.
	m = feedCalls(append([]uint64{0, 1}, make([]uint64, 200)...))
	m.SetSize(60, 24)
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("put: no requests in the last %d s", 60-8)) {
		t.Fatalf("idle window should say so:\n%s", v)
	}
}

func TestGraphOneColumnPerSecond(t *testing.T) {
	m := feedCalls([]uint64{0, 1, 0, 0, 0, 0})
	m.SetSize(80, 24)
	v := m.View()
	if n := strings.Count(v, "•"); n != 2 { // one mark in the plot, one in the legend
		t.Fatalf("want one p50 mark for the one busy second (no interpolation), got %d:\n%s", n-1, v)
	}
	if !strings.Contains(v, "last 5 s") {
		t.Fatalf("legend should name the span:\n%s", v)
	}
}

func keyA() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")} }
