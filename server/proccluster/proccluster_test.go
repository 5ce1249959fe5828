//go:build unix

package proccluster

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestMain(m *testing.M) { Main(m) }

// TestLifecycle starts a cluster, pauses and resumes a leader, kills and
// restarts a node, and wipes the cluster, checking each step from outside.
func TestLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	c := Start(t, Options{Groups: 3, Shards: 64})
	if len(c.Addrs()) != 3 || c.IDs()[0] != "n1" || c.IDOf(c.Addr("n2")) != "n2" {
		t.Fatalf("addrs %v ids %v", c.Addrs(), c.IDs())
	}
	leader := waitLeader(t, c, 0)
	c.Pause(t, leader)
	if !c.Paused(leader) {
		t.Fatal("not marked paused")
	}
	// The others elect a new leader for shard 0 while the old one hangs.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if l := c.LeaderOf(t, 0); l != "" && l != leader {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new leader while %s is paused", leader)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.Resume(t, leader)
	c.Kill(t, "n3")
	if c.Proc("n3") != nil {
		t.Fatal("killed node still listed")
	}
	c.Restart(t, "n3")
	firstEpoch := c.View(t).GetEpoch()
	stop := c.Burn(t, 1)
	stop()
	c.WipeAndRestartAll(t)
	if v := c.View(t); v == nil || len(v.Shards) != 64 {
		t.Fatalf("view after wipe: %v", v)
	}
	if firstEpoch == 0 {
		t.Fatal("no epoch before wipe")
	}
	put(t, c.Addrs())
}

func waitLeader(t *testing.T, c *Cluster, shard int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if l := c.LeaderOf(t, shard); l != "" {
			return l
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("shard %d has no leader", shard)
	return ""
}

// put writes one key through any node that accepts it.
func put(t *testing.T, addrs []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		conn, err := grpc.NewClient(addrs[i%len(addrs)], grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err = norikvpb.NewKvClient(conn).Put(ctx, &norikvpb.PutRequest{Key: []byte("k"), Value: []byte("v")})
		cancel()
		conn.Close()
		if err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no node accepted a put")
}
