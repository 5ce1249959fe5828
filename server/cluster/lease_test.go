package cluster_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestLeaseReadsFromIsolatedLeader cuts a leader's replication links while
// its client port still answers: once the others have elected a new leader
// and acknowledged K=new, reads at "", "lease" and "linearizable" sent to
// the old leader may fail but must never return K=old. Raft's own view
// ("I am the leader") lags behind: the old leader steps down only when its
// own check of follower contact (LeaderLeaseTimeout) fails. Here that check
// is slower than the followers' election, as it is when a busy or paused
// leader runs its checks late: lease safety must not depend on it.
func TestLeaseReadsFromIsolatedLeader(t *testing.T) {
	timing := node.DefaultTiming()
	timing.LeaderLeaseTimeout = timing.HeartbeatTimeout
	c := start(t, cluster.Options{TotalShards: 64, Groups: 3, Timing: timing})
	r := newRouter(t, c)
	ctx := ctxFor(t, 120*time.Second)
	var stale, fresh, refused int
	for round := 0; round < 6; round++ {
		key := keysInGroup(c, fmt.Sprintf("iso-%d", round), round%3, 1)[0]
		s, f, e := isolatedLeaderRound(ctx, t, c, r, key)
		stale, fresh, refused = stale+s, fresh+f, refused+e
	}
	t.Logf("%d stale, %d fresh, %d refused reads", stale, fresh, refused)
	if stale > 0 {
		t.Fatalf("%d reads from an isolated ex-leader returned a value overwritten and acknowledged before they were sent", stale)
	}
}

func isolatedLeaderRound(ctx context.Context, t *testing.T, c *cluster.Cluster, r *router, key string) (stale, fresh, refused int) {
	t.Helper()
	if _, err := r.put(ctx, key, "old", 0); err != nil {
		t.Fatal(err)
	}
	shard := topology.ShardOf([]byte(key), c.Layout().TotalShards)
	old := c.LeaderOf(shard)
	// Warm the connection to the old leader so reads go out at once later.
	if _, err := r.kv(c.Addr(old)).Get(ctx, &norikvpb.GetRequest{Key: []byte(key)}); err != nil {
		t.Fatalf("read from the leader before the cut: %v", err)
	}
	for _, id := range c.NodeIDs() {
		if id != old {
			c.CutLink(old, id)
		}
	}
	defer c.HealAll()
	// Acknowledged by the others' new leader.
	for acked := false; !acked; {
		for _, id := range c.NodeIDs() {
			if id == old {
				continue
			}
			actx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			_, err := r.kv(c.Addr(id)).Put(actx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("new")})
			cancel()
			if err == nil {
				acked = true
				break
			}
		}
		if ctx.Err() != nil {
			t.Fatal("no new leader acknowledged the write")
		}
	}
	// Read from the old leader for a while, several at a time.
	var nStale, nFresh, nRefused atomic.Int32
	var wg sync.WaitGroup
	until := time.Now().Add(300 * time.Millisecond)
	for w := 0; w < 6; w++ {
		level := []string{"", "lease", "linearizable"}[w%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(until) {
				rctx, cancel := context.WithTimeout(ctx, time.Second)
				resp, err := r.kv(c.Addr(old)).Get(rctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level})
				cancel()
				switch {
				case err != nil:
					nRefused.Add(1)
					time.Sleep(5 * time.Millisecond)
				case string(resp.Value) == "old":
					nStale.Add(1)
				default:
					nFresh.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	c.HealAll()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s isolated from its followers: %d stale, %d fresh, %d refused reads", old, nStale.Load(), nFresh.Load(), nRefused.Load())
	return int(nStale.Load()), int(nFresh.Load()), int(nRefused.Load())
}
