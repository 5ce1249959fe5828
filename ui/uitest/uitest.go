// Package uitest holds helpers for the console's view tests: plain-ASCII
// styles, a Common without a client, cluster views shaped like the embedded
// cluster's, and size checks.
package uitest

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
	"github.com/muesli/termenv"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
)

// Styles returns the dark theme rendered with the ASCII profile, so goldens
// hold no escape codes.
func Styles() *themes.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return themes.NewStyles(themes.Dark(), r)
}

// Common returns a shared value with ASCII styles, default keys and no client.
func Common() common.Common {
	return common.Common{Styles: Styles(), Keys: keybindings.DefaultKeyMap(), Profile: "test", TotalShards: 1024}
}

// View returns a cluster view laid out like the embedded cluster: nodes n1..nN
// on 127.0.0.1:7447+i, shards split into groups of contiguous ranges, group g
// replicated on nodes g, g+1, g+2 (mod N) and led by node g mod N.
func View(epoch uint64, nodes, shards, groups int) *client.ClusterView {
	v := &client.ClusterView{Epoch: epoch}
	for i := 0; i < nodes; i++ {
		v.Nodes = append(v.Nodes, client.ClusterNode{ID: fmt.Sprintf("n%d", i+1), Addr: fmt.Sprintf("127.0.0.1:%d", 7447+i), Role: "alive"})
	}
	rf := min(3, nodes)
	for s := 0; s < shards; s++ {
		g := s * groups / shards
		info := client.ShardInfo{ID: s}
		for k := 0; k < rf; k++ {
			info.Replicas = append(info.Replicas, client.ShardReplica{NodeID: v.Nodes[(g+k)%nodes].ID, Leader: k == 0})
		}
		v.Shards = append(v.Shards, info)
	}
	return v
}

// MoveGroup returns a copy of v with every shard of group g led by target,
// and the event describing the change.
func MoveGroup(v *client.ClusterView, groups, g int, target string) (*client.ClusterView, *client.TopologyEvent) {
	nv := &client.ClusterView{Epoch: v.Epoch + 1, Nodes: v.Nodes}
	ev := &client.TopologyEvent{PreviousEpoch: v.Epoch, CurrentEpoch: v.Epoch + 1, LeaderChanges: map[uint32]string{}}
	for _, s := range v.Shards {
		ns := client.ShardInfo{ID: s.ID}
		inGroup := s.ID*groups/len(v.Shards) == g
		for _, r := range s.Replicas {
			lead := r.Leader
			if inGroup {
				lead = r.NodeID == target
			}
			ns.Replicas = append(ns.Replicas, client.ShardReplica{NodeID: r.NodeID, Leader: lead})
		}
		if inGroup {
			ev.LeaderChanges[uint32(s.ID)] = target
		}
		nv.Shards = append(nv.Shards, ns)
	}
	return nv, ev
}

// RequireSize fails unless view is exactly width columns by height lines.
func RequireSize(t testing.TB, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), height, view)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != width {
			t.Fatalf("line %d is %d columns wide, want %d: %q", i, w, width, l)
		}
		// Terminals that add up code points must draw it as wide: a
		// wider line wraps and scrolls the screen ("👍🏽" is 2 columns
		// measured as a cluster, 4 in tmux).
		if w := drawnWidth(ansi.Strip(l)); w != width {
			t.Fatalf("line %d is %d columns wide but a terminal adding up code points draws it in %d: %q", i, width, w, l)
		}
	}
}

// Sizes are the sizes every pane is checked at, tiny ones included.
var Sizes = [][2]int{{80, 24}, {120, 40}, {200, 60}, {100, 30}, {60, 15}, {40, 10}, {30, 6}, {10, 3}, {1, 1}}

// drawnWidth is how wide a terminal that adds up code points draws s.
func drawnWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runewidth.RuneWidth(r)
	}
	return w
}
