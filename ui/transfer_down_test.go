package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/uitest"
)

// On a real cluster with a node stopped, `t` on the Cluster pane offers to
// move the leader to the replica that is up, never to the stopped one (the
// move would wait the whole timeout and fail).
func TestTransferOffersOnlyAReplicaThatIsUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	f := feed.Start(c)
	t.Cleanup(f.Close)
	com := uitest.Common()
	com.Client, com.TotalShards = c, 64
	m, err := New(Options{Common: com, Feed: f})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	d := newDriver(t, m)
	d.run(m.Init())
	d.until("connected", 30*time.Second, func() bool {
		v := m.ClusterView()
		return m.ConnState() == StateConnected && v != nil && len(v.Nodes) == 3 && v.Shards[0].Leader() != ""
	})
	sh := m.ClusterView().Shards[0] // the cursor's shard
	leader := sh.Leader()
	var next, other string
	for i, r := range sh.Replicas {
		if r.NodeID == leader {
			next = sh.Replicas[(i+1)%3].NodeID
			other = sh.Replicas[(i+2)%3].NodeID
		}
	}
	if err := cl.StopNode(next); err != nil {
		t.Fatal(err)
	}
	d.until(next+" shown down", 30*time.Second, func() bool {
		v := m.presented(m.ClusterView())
		n, ok := v.Node(next)
		return ok && (n.Unreachable || n.Role != "alive") && v.Shards[0].Leader() == leader
	})
	_, cmd := m.Update(press("t"))
	d.run(cmd)
	d.until("the move asked for", 10*time.Second, func() bool { return strings.Contains(m.View(), "Confirm") })
	v := m.View()
	if !strings.Contains(v, "(and its group) to "+other+"?") || strings.Contains(v, "to "+next+"?") {
		t.Fatalf("with %s stopped, t offers:\n%s", next, v)
	}
}
