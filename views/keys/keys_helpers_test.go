package keys

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// scannedHarness is a Keys pane of w x h on a fake backend of 1024 shards
// holding kv (key, value, key, value, ...), after a topology view arrived
// (so the pane has scanned them).
func scannedHarness(t *testing.T, w, h int, kv ...string) (*fakebackend.Backend, *harness) {
	t.Helper()
	fb := fakebackend.New(nil, 1024)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	for i := 0; i+1 < len(kv); i += 2 {
		if _, err := fb.Put(ctx, []byte(kv[i]), []byte(kv[i+1]), nil); err != nil {
			t.Fatal(err)
		}
	}
	com := uitest.Common()
	com.Data = fb
	hs := newHarness(t, com, w, h)
	hs.send(common.TopologyMsg{At: time.Now(), View: uitest.View(7, 3, 1024, 16)})
	return fb, hs
}

// oneKeyHarness is a Keys pane of width x 24 on a fake backend holding
// user:1, after a topology view arrived.
func oneKeyHarness(t *testing.T, width int) (*fakebackend.Backend, *harness) {
	t.Helper()
	return scannedHarness(t, width, 24, "user:1", "v1")
}

// startClusterAndClient starts a real 3-node cluster of flowShards shards
// on loopback and a connected client, both closed when the test ends.
func startClusterAndClient(t *testing.T) (*cluster.Cluster, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: flowShards, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cl.Close(); err != nil {
			t.Log(err)
		}
	})
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: flowShards})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return cl, c
}
