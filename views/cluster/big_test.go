package cluster

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/keybindings"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// bigPane is the synthetic big cluster: 50 nodes, 4,096 shards in 256
// groups, a group's leader just moved.
func bigPane(c common.Common, w, h int) *Model {
	c.TotalShards = 4096
	m := New(c)
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	v := uitest.View(40, 50, 4096, 256)
	m.Update(common.TopologyMsg{At: t0, View: v})
	v2, ev := uitest.MoveGroup(v, 256, 7, "n9")
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v2, Event: ev})
	for i := 1; i <= 50; i++ {
		m.Update(common.NodeStatusMsg{At: t0, NodeID: fmt.Sprintf("n%d", i), RTT: time.Duration(200+i*10) * time.Microsecond})
	}
	m.cursor = 2000
	m.layout()
	return m
}

func TestGoldenFiftyNodes(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := bigPane(uitest.Common(), sz[0], sz[1])
			v := m.View()
			uitest.RequireSize(t, v, sz[0], sz[1])
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// The 50-node view: every node has its own glyph (no "#" for the nodes past
// the 35th), the legend points to the table, the table scrolls with [ and ],
// and the heatmap pages with the cursor.
func TestFiftyNodesReadable(t *testing.T) {
	m := bigPane(uitest.Common(), 80, 24)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		g := nodeGlyph(i)
		if g == "#" || seen[g] {
			t.Fatalf("node %d glyph %q repeats or is the fallback", i, g)
		}
		seen[g] = true
	}
	v := m.View()
	if !strings.Contains(v, "50 nodes: key in the table") || !strings.Contains(v, "nodes 1-7 of 50") {
		t.Fatalf("legend or table scroll line missing:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]")})
	if v := m.View(); !strings.Contains(v, "nodes 7-13 of 50") {
		t.Fatalf("] did not scroll the table:\n%s", v)
	}
	for i := 0; i < 20; i++ {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]")})
	}
	if v := m.View(); !strings.Contains(v, "nodes 44-50 of 50") {
		t.Fatalf("the table did not stop at its end:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if v := m.View(); !strings.Contains(v, "shard 4095") || !strings.Contains(v, "4050 ") || !strings.Contains(v, "of 4096") {
		t.Fatalf("end did not page the heatmap to the last shard:\n%s", v)
	}
}

// In colour, nodes past the theme's palette carry their glyph in the cell.
func TestGlyphsBeyondThePalette(t *testing.T) {
	c := uitest.Common()
	c.Styles = uitest.ColorStyles(themes.Dark())
	m := bigPane(c, 200, 60)
	p := m.newPainter()
	n := len(c.Styles.Nodes)
	if p.glyph(cellKind(0)) != "█" || p.glyph(cellKind(n)) != nodeGlyph(n) {
		t.Fatalf("glyphs: node 0 %q, node %d %q", p.glyph(0), n, p.glyph(cellKind(n)))
	}
}

func TestSortNodes(t *testing.T) {
	m := newPane(100, 40)
	m.SetSort(common.SortState{Column: "leads", Desc: true})
	if got := strings.Join(m.geom.tableNodes, ","); got != "n1,n2,n3" {
		t.Fatalf("leads desc: %s", got)
	}
	m.SetSort(common.SortState{Column: "RTT"})
	if got := strings.Join(m.geom.tableNodes, ","); got != "n2,n1,n3" { // n3's poll failed: last
		t.Fatalf("RTT asc: %s", got)
	}
	if !strings.Contains(m.View(), "sort RTT ↑") {
		t.Errorf("header lacks the sort:\n%s", m.View())
	}
	v := m.ClusterView()
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v}) // a refresh keeps it
	if got := strings.Join(m.geom.tableNodes, ","); got != "n2,n1,n3" {
		t.Fatalf("after a refresh: %s", got)
	}
}

// BenchmarkFiftyNodes renders the synthetic 50-node, 4,096-shard view in
// full colour (target: under 2 ms per frame at 80x24 and 200x60).
func BenchmarkFiftyNodes(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	c := common.Common{Styles: themes.NewStyles(themes.Dark(), r), Keys: keybindings.DefaultKeyMap()}
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := bigPane(c, sz[0], sz[1])
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func TestCopyAddressAndTable(t *testing.T) {
	m := newPane(100, 40)
	what, text, ok := m.CopyTarget()
	if !ok || text != "127.0.0.1:7447" || what != "address of n1 (leader of shard 0)" {
		t.Fatalf("copy = %q %q %v", what, text, ok)
	}
	what, tsv, ok := m.CopyTable()
	want := "node\taddress\thealth\tleads\tconnected\trtt_us\n" +
		"n1\t127.0.0.1:7447\talive\t384\tyes\t420\n" +
		"n2\t127.0.0.1:7448\talive\t320\tyes\t380\n" +
		"n3\t127.0.0.1:7449\talive\t320\tno\t\n"
	if !ok || tsv != want || what != "nodes table (3 nodes)" {
		t.Fatalf("copy table = %q\n%q", what, tsv)
	}
}

func TestNodeIDsSortNaturally(t *testing.T) {
	ids := []string{"n10", "n2", "n1", "n12", "a", "n02x", "n2a"}
	sortIDs(ids)
	if got := strings.Join(ids, ","); got != "a,n1,n2,n2a,n02x,n10,n12" {
		t.Fatalf("natural order = %s", got)
	}
}

// c colours the heatmap by the leader's health: a 50-node cluster's
// repeated colours say nothing, the health of who leads does.
func TestColourByHealth(t *testing.T) {
	m := newPane(100, 40)
	v := m.ClusterView()
	v2 := *v
	v2.Epoch++
	v2.Nodes = append([]client.ClusterNode(nil), v.Nodes...)
	v2.Nodes[1].Role = "suspect"
	v2.Nodes[2].Role = "dead"
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: &v2, Event: &client.TopologyEvent{PreviousEpoch: v.Epoch, CurrentEpoch: v2.Epoch}})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	if m.kindOf(0) != cellAlive || m.kindOf(64) != cellSuspect || m.kindOf(128) != cellDown {
		t.Fatalf("kinds by health: %d %d %d", m.kindOf(0), m.kindOf(64), m.kindOf(128))
	}
	out := m.View()
	for _, want := range []string{"+=alive ?=suspect x=down (leader's health)", " 64 ????", "128 xxxx"} {
		if !strings.Contains(out, want) {
			t.Errorf("view by health lacks %q:\n%s", want, out)
		}
	}
	// Travelling while colouring by health still marks what differs now.
	p := m.newPainter()
	for _, k := range []cellKind{cellAlive, cellSuspect, cellDown, cellNoLeader, 0, 5} {
		if mk := k.marked(); mk == k || mk.base() != k || p.glyph(mk) != "!" {
			t.Errorf("kind %d marked %d (base %d, glyph %q)", k, mk, mk.base(), p.glyph(mk))
		}
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	if m.kindOf(0) != diffBit+0 && m.kindOf(0) != 0 {
		t.Fatalf("c again: kind %d, want node 0's colour", m.kindOf(0))
	}
}
