package cluster

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/themes"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A node the root marks "unreachable" shows the whole word, in the error
// colour (it was cut to "unreach…" and drawn green).
func TestUnreachableHealthInFullAndRed(t *testing.T) {
	c := uitest.Common()
	c.Styles = uitest.ColorStyles(themes.Dark())
	m := New(c)
	m.SetSize(100, 30)
	v := uitest.View(3, 3, 64, 4)
	v.Nodes = append([]client.ClusterNode(nil), v.Nodes...)
	v.Nodes[2].Role = "unreachable"
	m.Update(common.TopologyMsg{At: t0, View: v})
	row := m.nodeRow("n3", m.leadsShown())
	if !strings.Contains(row, c.Styles.Error.Render("unreachable")) {
		t.Fatalf("n3 row lacks a red %q: %q", "unreachable", row)
	}
	if strings.Contains(row, c.Styles.OK.Render("unreachable")) {
		t.Fatalf("n3 row draws unreachable in the OK colour: %q", row)
	}
}
