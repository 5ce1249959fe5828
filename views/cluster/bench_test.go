package cluster

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// BenchmarkClusterView renders the cluster pane with 1024 shards on 5 nodes
// in full colour, with some shards flashing (target: under 2 ms per frame).
func BenchmarkClusterView(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := common.Common{Styles: themes.NewStyles(themes.Dark(), r), Keys: keybindings.DefaultKeyMap(), TotalShards: 1024}
	for _, sz := range [][2]int{{80, 21}, {200, 57}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(c)
			m.SetSize(sz[0], sz[1])
			m.Update(common.TickMsg{At: t0})
			v := uitest.View(7, 5, 1024, 16)
			m.Update(common.TopologyMsg{At: t0, View: v})
			v2, ev := uitest.MoveGroup(v, 16, 3, "n5")
			m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v2, Event: ev})
			m.cursor = 500
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
