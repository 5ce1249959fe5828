package ttl

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/uitest"
)

// On a real cluster: an extend of every key while the leader of some keys'
// groups is cut off from its followers rewrites the others and leaves the
// cut leader's keys without an answer. Only those stay selected, so the
// extend run again once the links heal extends them, and the keys already
// rewritten are not extended a second time.
func TestBulkOnACutLeaderLeavesOnlyItsKeysSelected(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const shards = 64
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: shards, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: shards})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := range 12 {
		k := fmt.Sprintf("t:%02d", i)
		keys = append(keys, k)
		if _, err := c.Put(ctx, []byte(k), []byte("v"), &client.PutOptions{TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	leaderOf := func(k string) string { return cl.LeaderOf(uint32(client.ShardForKey([]byte(k), shards))) }
	cut := leaderOf(keys[0])
	others := 0
	for _, k := range keys {
		if leaderOf(k) != cut {
			others++
		}
	}
	if others == 0 {
		t.Skipf("%s leads every key's group: no key to rewrite beside the cut ones", cut)
	}

	com := uitest.Common()
	com.Client, com.Timeout = c, 10*time.Second
	h := &harness{t: t, now: time.Now()}
	h.m = New(com)
	h.m.SetSize(120, 30)
	h.run(h.m.Init())
	h.press("a")
	if len(h.m.selected) != len(keys) {
		t.Fatalf("selected %d keys, want %d (scan err %v)", len(h.m.selected), len(keys), h.m.scanErr)
	}

	for _, id := range cl.NodeIDs() {
		if id != cut {
			cl.CutLink(cut, id)
		}
	}
	h.m.common.Timeout = 300 * time.Millisecond
	h.press("e")
	h.run(h.actions[0].Run("1h"))
	cl.HealAll()
	h.m.common.Timeout = 10 * time.Second
	if len(h.results) != 1 || h.results[0].Err == nil {
		t.Skipf("every key answered with %s cut off: %+v", cut, h.results)
	}
	t.Logf("with %s cut off: %v", cut, h.results[0].Err)
	if n := len(h.m.selected); n == 0 || n == len(keys) {
		t.Fatalf("%d of %d keys stay selected after a partial extend: %v", n, len(keys), h.results[0].Err)
	}
	expiry := func(k string) time.Duration {
		t.Helper()
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			got, err := c.Get(ctx, []byte(k), nil)
			if err == nil {
				return time.Until(got.ExpiresAt())
			}
			if time.Now().After(end) {
				t.Fatalf("read %s after the heal: %v", k, err)
			}
		}
	}
	for _, k := range keys {
		if !h.m.selected[k] {
			if left := expiry(k); left < 119*time.Minute || left > 121*time.Minute {
				t.Fatalf("%s was rewritten (deselected) but expires in %v, want ~2h", k, left)
			}
		}
	}

	// Run again as told: only the keys left selected are extended (one
	// whose first rewrite had an unknown outcome may be extended twice:
	// the message said to rescan first), the others not a second time.
	again := maps.Clone(h.m.selected)
	h.press("e")
	h.run(h.actions[1].Run("1h"))
	if r := h.results[1]; r.Err != nil {
		t.Fatalf("the extend again after the heal: %v", r.Err)
	}
	for _, k := range keys {
		if left := expiry(k); left < 119*time.Minute || !again[k] && left > 121*time.Minute {
			t.Fatalf("%s expires in %v after the extend again, want ~2h (selected for it: %v)", k, left, again[k])
		}
	}
}
