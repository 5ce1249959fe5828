package ui

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/keys"
)

// TestKeysWrittenElsewhereReplaceNoKeysYet: on a real cluster, the Keys
// pane scanned an empty cluster; another client then writes keys. Once the
// nodes' key counts include them the list shows them, without r (it kept
// saying "no keys yet: press a to put one" under a title counting them).
func TestKeysWrittenElsewhereReplaceNoKeysYet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	m, d, _ := consoleOn(t, cl.Addrs())
	send(m, press("5"))
	kp := m.Active().(*keys.Model)
	d.until("the empty cluster scanned", 30*time.Second, func() bool {
		return m.ConnState() == StateConnected && kp.Loaded() && len(kp.Entries()) == 0
	})
	other, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, k := range []string{"app:1", "app:2", "app:3"} {
		if _, err := other.Put(ctx, []byte(k), []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
	}
	d.until("the keys written elsewhere listed", 20*time.Second, func() bool { return len(kp.Entries()) == 3 })
}
