package cluster

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// BenchmarkClusterViewWithGroups renders the pane with its groups table:
// 1024 shards in 16 groups on 3 nodes, every node's report in.
func BenchmarkClusterViewWithGroups(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := common.Common{Styles: themes.NewStyles(themes.Dark(), r), Keys: keybindings.DefaultKeyMap(), TotalShards: 1024}
	for _, sz := range [][2]int{{120, 40}, {200, 57}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(c)
			m.SetSize(sz[0], sz[1])
			m.Update(common.TickMsg{At: t0})
			m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
			peers := []string{"n1", "n2", "n3"}
			for _, id := range peers {
				st := &client.NodeStatus{NodeID: id}
				for g := 0; g < 16; g++ {
					state := "follower"
					if peers[g%3] == id {
						state = "leader"
					}
					st.Groups = append(st.Groups, client.GroupStatus{GroupID: g, State: state, Term: 3, CommitIndex: 100, AppliedIndex: 100,
						Peers: peers, Shards: seq(g*64, (g+1)*64)})
				}
				m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: id, RTT: time.Millisecond, Status: st})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
