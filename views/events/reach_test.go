package events

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A node the console reaches again (SIGCONT) while the cluster still calls
// it dead changes nothing in its role: the entry says what did change,
// never "(no visible change)".
func TestReachabilityChangeIsNamed(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 10)
	down := uitest.View(31, 3, 1024, 16)
	down.Nodes[0].Role, down.Nodes[0].Unreachable = "dead", true
	m.Update(common.TopologyMsg{At: t0, View: down})
	back := uitest.View(31, 3, 1024, 16)
	back.Nodes[0].Role = "dead"
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: back,
		Event: &client.TopologyEvent{PreviousEpoch: 31, CurrentEpoch: 31}})
	lost := uitest.View(31, 3, 1024, 16)
	lost.Nodes[0].Role, lost.Nodes[0].Unreachable = "dead", true
	m.Update(common.TopologyMsg{At: t0.Add(2 * time.Second), View: lost,
		Event: &client.TopologyEvent{PreviousEpoch: 31, CurrentEpoch: 31}})
	v := m.View()
	if strings.Contains(v, "no visible change") ||
		!strings.Contains(v, "n1 reachable again (the cluster says dead)") ||
		!strings.Contains(v, "n1 unreachable from the console (the cluster says dead)") {
		t.Fatalf("timeline:\n%s", v)
	}
}
