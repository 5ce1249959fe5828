package ui

import (
	"testing"

	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// BenchmarkHeader draws the header (read-only, a node unreachable, colour) at
// 200 columns and at 60, where pieces give way.
func BenchmarkHeader(b *testing.B) {
	for _, w := range []int{200, 60} {
		m := newRoot(b, w, 40, func(c *common.Common) { c.Styles = uitest.ColorStyles(themes.Dark()); c.ReadOnly = true })
		m.reachable["n2"] = false
		m.reassess(t0)
		b.Run(map[int]string{200: "w200", 60: "w60"}[w], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.header()
			}
		})
	}
}
