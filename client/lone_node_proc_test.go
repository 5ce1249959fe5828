//go:build unix

package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/proccluster"
)

// TestLoneNodeStillGivesItsView: two of three nodes killed. The one left
// hears no metadata leader, so its view is not kept current and it ends
// watch streams saying so (ff8f68e). It used to refuse them outright, and
// a client started then (the console, `status`) failed to connect at all
// ("no node answered the topology watch") instead of showing the cluster
// with two nodes down. Now the node sends its view and then ends the
// stream: the client connects, knows all three nodes, says why its view
// may be behind (TopologyStats.ViewNotCurrent), does not mark the lone
// node failed, and asks it again only after its backoff instead of
// spinning on it.
func TestLoneNodeStillGivesItsView(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 2})
	const lone = "n1"
	pc.Kill(t, "n2")
	pc.Kill(t, "n3")
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(pc.Log(t, lone), "cut off from the cluster"); {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not say it is cut off within 20s:\n%s", lone, pc.Log(t, lone))
		}
		time.Sleep(50 * time.Millisecond)
	}

	c, err := client.New(client.Config{Nodes: []string{pc.Addr(lone)}, TotalShards: 64, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect with two of three nodes down: %v", err)
	}
	v := c.ClusterView()
	if v == nil || len(v.Nodes) != 3 {
		t.Fatalf("view after Connect: %+v, want the three nodes", v)
	}
	for _, n := range v.Nodes {
		if n.ID == lone && n.Unreachable {
			t.Errorf("%s (up, only behind) shown unreachable", lone)
		}
	}
	// Connect returns on the probe's view; the watch's stream ends after it.
	why := ""
	for deadline := time.Now().Add(5 * time.Second); why == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		why = c.Stats().Topology.ViewNotCurrent
	}
	if !strings.Contains(why, pc.Addr(lone)) || !strings.Contains(why, "metadata group's leader") {
		t.Errorf("ViewNotCurrent = %q, want the lone node's address and its reason", why)
	}
	before := c.Stats().Topology.WatchRestarts
	time.Sleep(3 * time.Second)
	restarts := c.Stats().Topology.WatchRestarts - before
	t.Logf("watch restarts in 3 s with only %s up: %d; ViewNotCurrent %q", lone, restarts, why)
	// Backoff up to DefaultMaxDelay (1 s): a handful; spinning made hundreds.
	if restarts > 10 {
		t.Errorf("watch restarted %d times in 3 s against the lone node: it spins", restarts)
	}
	if c.Stats().Topology.ViewNotCurrent == "" {
		t.Errorf("ViewNotCurrent cleared while the lone node still cannot follow")
	}
}
