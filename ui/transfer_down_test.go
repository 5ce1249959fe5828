package ui

import (
	"strings"
	"testing"
	"time"
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
	m, d, _ := consoleOn(t, cl.Addrs())
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
