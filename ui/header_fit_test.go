package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/ui/common"
)

// At 80 columns with nodes down, the header gives up the epoch, then the
// profile, before the nodes' health: "1 unreacha* degraded" (the count cut
// mid-word and run into the connection state) told the user nothing.
func TestHeaderKeepsNodeHealthWhole(t *testing.T) {
	for _, w := range []int{80, 64, 50} {
		m := newRoot(t, w, 24, func(c *common.Common) { c.Profile = "production-eu-west" })
		m.reachable["n2"], m.reachable["n3"] = false, false
		m.reassess(t0)
		head := strings.Split(m.View(), "\n")[0]
		if lipgloss.Width(head) != w {
			t.Fatalf("%d columns: header is %d wide", w, lipgloss.Width(head))
		}
		if !strings.Contains(head, "2 unreachable ") && !strings.Contains(head, "2 unreach ") {
			t.Errorf("%d columns: the unreachable count is cut: %q", w, head)
		}
		if !strings.Contains(head, "1/3 alive") {
			t.Errorf("%d columns: no alive count: %q", w, head)
		}
	}
}
