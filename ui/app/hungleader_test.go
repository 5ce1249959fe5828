//go:build unix

package app

import (
	"context"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/proccluster"
	"github.com/norikv/norikv-console/ui/common"
)

// A hung leader (SIGSTOP) under a console with the default 5 s timeout: a
// read and a compare-and-swap of a key it led, made as the Keys pane makes
// them (one request bounded by the profile's timeout), are answered by the
// new leader within that timeout. Before, the client's attempt timeout was
// the whole request's: the attempt on the hung node used all of it and the
// pane showed "deadline exceeded" although the cluster had failed over.
func TestHungLeaderFailsOverWithinOneRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 4})
	s := Settings{Nodes: pc.Addrs(), TotalShards: 64, Timeout: 5 * time.Second}
	cfg, err := ClientConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	com := common.Common{Client: c, Timeout: s.Timeout}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	key := []byte("hung:1")
	v, err := c.Put(ctx, key, []byte("before"), nil)
	if err != nil {
		t.Fatal(err)
	}
	shard := client.ShardForKey(key, 64)
	var leader string
	for deadline := time.Now().Add(20 * time.Second); leader == "" || c.Route(key).LeaderAddr != pc.Addr(leader); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the client never routed %s to the cluster's leader %q", key, leader)
		}
		leader = pc.LeaderOf(t, shard)
	}
	pc.Pause(t, leader)
	t.Cleanup(func() {
		if pc.Paused(leader) {
			pc.Resume(t, leader)
		}
	})

	rctx, rcancel := com.Context() // as the Keys pane's read
	got, err := c.Get(rctx, key, &client.GetOptions{Consistency: client.ConsistencyLease})
	rcancel()
	if err != nil {
		t.Fatalf("read with the leader %s hung: %v (within the console's %s timeout)", leader, err, s.Timeout)
	}
	if got.Meta["served_by"] == leader || string(got.Value) != "before" {
		t.Fatalf("read: %q served by %s (the hung leader is %s)", got.Value, got.Meta["served_by"], leader)
	}
	wctx, wcancel := com.Context() // as the editor's save
	if _, err := c.Put(wctx, key, []byte("after"), &client.PutOptions{IfMatchVersion: &v}); err != nil {
		t.Fatalf("compare-and-swap with the leader %s hung: %v", leader, err)
	}
	wcancel()
}
