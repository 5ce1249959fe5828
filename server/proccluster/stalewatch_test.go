//go:build linux

package proccluster

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// A client watching the node whose disk fills up. That node cannot apply
// the metadata group's new entries, so its view stays as it was (it still
// shows itself leading the groups it handed over) while the others move
// on; it repeated that view every second and the client, taking the stream
// for live, never looked elsewhere (found by the console's view-behind
// check, 17cf79e). Now the full node ends the watch and the client moves
// to another node and gets the current view.
func TestWatchLeavesANodeThatCannotFollow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and fills a tmpfs")
	}
	const full = "n2"
	c := Start(t, Options{Shards: fullShards, Groups: fullGroups, Fsync: true, DiskLimit: map[string]int64{full: fullDisk}})
	// The full node is the only seed: the watch starts there.
	cl := soleSeedClient(t, c, full, fullShards)
	waitFor(t, full+" leading a group", func() bool { return leads(c.View(t), full) })
	c.FillDisk(t, full, 0)
	waitStatus(t, cl, c.Addr(full), full+" reporting its storage error", func(st *client.NodeStatus) bool { return st.StorageError != "" })
	waitFor(t, "the others leading every group", func() bool {
		v := c.View(t) // from the nodes that answer a watch: the full one no longer does
		return v != nil && !leads(v, full)
	})
	want := c.View(t).Epoch
	waitFor(t, "the client's view reaching the cluster's epoch", func() bool {
		v := cl.ClusterView()
		return v != nil && v.Epoch >= want && !clientViewLeads(v, full)
	})
}

// soleSeedClient returns a connected client whose only seed is node id, so
// its watch starts there; it is closed when the test ends.
func soleSeedClient(t *testing.T, c *Cluster, id string, shards int) *client.Client {
	t.Helper()
	cl, err := client.New(client.Config{Nodes: []string{c.Addr(id)}, TotalShards: shards, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cl.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return cl
}

// clientViewLeads reports whether the client's view has id leading a shard.
func clientViewLeads(v *client.ClusterView, id string) bool {
	for _, s := range v.Shards {
		if s.Leader() == id {
			return true
		}
	}
	return false
}
