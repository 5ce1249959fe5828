package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// TestSeedsOutsideTheViewAreSaidOnce: --nodes addresses that are not
// nodes of the cluster shown are checked: one answering as another
// cluster's node, and one not answering, are warned about once each; an
// address that is another name of a node shown, or that a later check
// finds the same, says nothing more. Found in tmux: --nodes naming a
// node of another cluster and two of this one showed one cluster
// silently; a dead address in --nodes was never mentioned.
func TestSeedsOutsideTheViewAreSaidOnce(t *testing.T) {
	m := newRoot(t, 120, 40) // view: n1..n3 at 127.0.0.1:7447..7449
	seeds := []string{"127.0.0.1:7447", "127.0.0.1:9000", "localhost:7448", "127.0.0.1:9001"}
	if got := fmt.Sprint(m.seedsOutsideView(seeds)); got != "[127.0.0.1:9000 localhost:7448 127.0.0.1:9001]" {
		t.Fatalf("addresses to check: %s", got)
	}
	for i := 0; i < 3; i++ {
		send(m, seedCheckMsg{addr: "127.0.0.1:9000", st: &client.NodeStatus{NodeID: "n3", Addr: "127.0.0.1:9000"}})
		send(m, seedCheckMsg{addr: "localhost:7448", st: &client.NodeStatus{NodeID: "n2", Addr: "127.0.0.1:7448"}})
		send(m, seedCheckMsg{addr: "127.0.0.1:9001", err: errors.New("connection refused")})
	}
	var foreign, dead, alias int
	for _, e := range m.Messages() {
		foreign += strings.Count(e.Text, "--nodes names 127.0.0.1:9000, which answers as n3 but is not a node of the cluster shown (n1 127.0.0.1:7447")
		dead += strings.Count(e.Text, "--nodes names 127.0.0.1:9001, which does not answer and is not a node of the cluster shown")
		alias += strings.Count(e.Text, "localhost:7448")
	}
	if foreign != 1 || dead != 1 || alias != 0 {
		t.Errorf("warnings: another cluster's node %d, dead address %d, another name of n2 %d; want 1, 1, 0: %v", foreign, dead, alias, m.Messages())
	}
}

// TestSeedOfAnotherClusterOnRealClusters: the console started with --nodes
// naming a node of another cluster, a dead address, and two nodes of a
// 3-node cluster says which addresses are not nodes of the cluster it
// shows, whichever cluster answered first.
func TestSeedOfAnotherClusterOnRealClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two real clusters")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a := startClusterOf(t, 0, 2)
	t.Cleanup(func() { _ = a.Close() })
	b, err := cluster.Start(ctx, cluster.Options{Nodes: 1, TotalShards: 64, Groups: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	dead := "127.0.0.1:" + fmt.Sprint(freeBasePort(t))
	m, d, _ := consoleOn(t, []string{b.Addrs()[0], dead, a.Addrs()[0], a.Addrs()[1]})
	d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected || m.ConnState() == StateDegraded })
	said := func(s string) bool {
		for _, e := range m.Messages() {
			if strings.Contains(e.Text, s) {
				return true
			}
		}
		return false
	}
	d.until("the dead address and the other cluster's node said", 60*time.Second, func() bool {
		return said("--nodes names "+dead+", which does not answer") && said("but is not a node of the cluster shown")
	})
}
