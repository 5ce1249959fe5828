//go:build linux

package proccluster

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// A client (norikv-console watch, status) seeded with only a node cut off
// from the cluster: the node answers with its last view, which it cannot
// vouch for (it hears no metadata leader), and the client's Connect
// returned with that view. `watch` printed it as its snapshot (the cut-off
// node leading groups the others had taken over, an old epoch), then, 50 ms
// later, the change to the current view it got from another node. Now the
// node says so in the stream's header, and Connect waits for a node that
// sends a current view (the view's other nodes are asked at once); a
// node that is the only one answering still gives its view.
func TestConnectThroughACutOffSeedReturnsTheCurrentView(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	const cut = "n2"
	c := Start(t, Options{Shards: leakShards, Groups: leakGroups, Links: true})
	waitFor(t, cut+" leading a group", func() bool { return leads(c.View(t), cut) })
	c.Isolate(t, cut)
	waitFor(t, "the others leading every group", func() bool {
		v, err := fetchView(c.Addr("n1"))
		return err == nil && !leads(v, cut)
	})
	v, err := fetchView(c.Addr("n1"))
	if err != nil {
		t.Fatal(err)
	}
	want := v.Epoch
	// The cut-off node's watch ends with the trailer (its view is not kept
	// current) only once it has not heard the leader for a while.
	waitFor(t, cut+" saying it is cut off", func() bool { _, why, _ := watchToEnd(c.Addr(cut)); return why != "" })

	for round := 0; round < 3; round++ {
		cl, err := client.New(client.Config{Nodes: []string{c.Addr(cut)}, TotalShards: leakShards, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = cl.Connect(ctx)
		cancel()
		if err != nil {
			cl.Close()
			t.Fatal(err)
		}
		got := cl.ClusterView()
		cl.Close()
		if got == nil || got.Epoch < want || clientViewLeads(got, cut) {
			epoch := uint64(0)
			if got != nil {
				epoch = got.Epoch
			}
			t.Fatalf("round %d: Connect through the cut-off %s returned its old view (epoch %d, %s leading: %v); the cluster is at epoch %d",
				round, cut, epoch, cut, got != nil && clientViewLeads(got, cut), want)
		}
	}
}
