package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/views/vectors"
)

// TestIndexListedWhileItsLeaderIsDown: on a real cluster the node leading
// an index's shard stops; through the failover and after it, every listing
// the Vectors pane shows has the index (listed by the node now leading it,
// or kept from the listing before while a node is down, marked so).
func TestIndexListedWhileItsLeaderIsDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	m, d, c := consoleOn(t, cl.Addrs())
	d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.VectorCreateIndex(ctx, "emb", 4, client.DistanceCosine, client.IndexHNSW, nil); err != nil {
		t.Fatal(err)
	}
	send(m, press("6"))
	vp := m.Active().(*vectors.Model)
	listed := func() bool {
		for _, ix := range vp.Indexes() {
			if ix.Namespace == "emb" {
				return true
			}
		}
		return false
	}
	_, cmd := m.Update(press("r"))
	d.run(cmd)
	d.until("emb listed", 20*time.Second, listed)
	leader := c.Route([]byte("emb")).LeaderID
	if leader == "" {
		t.Fatal("no leader for emb's shard")
	}
	if err := cl.StopNode(leader); err != nil {
		t.Fatal(err)
	}
	d.until(leader+" shown unreachable", 30*time.Second, func() bool { return len(m.Unreachable()) == 1 })
	for i := 0; i < 6; i++ { // listings through the failover and after it
		before := vp.ListedAt()
		_, cmd := m.Update(press("r"))
		d.run(cmd)
		d.until("a listing", 20*time.Second, func() bool {
			if !listed() {
				t.Fatalf("listing %d with %s down lost emb:\n%s", i, leader, m.View())
			}
			return vp.ListedAt().After(before)
		})
	}
	if !strings.Contains(m.View(), "emb") {
		t.Fatalf("emb not on screen:\n%s", m.View())
	}
}
