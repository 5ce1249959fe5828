//go:build unix

package client_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/proccluster"
)

// TestNodeStatusShowsTheVoteHold: a node restarted without its data holds
// its vote in every group until it has caught up, and NodeStatus says so.
// a and b are killed, b's data wiped, b started again next to c (which
// kept its data and tells b's start-up question the cluster id): with a
// down nobody can lead, so b stays behind and its NodeStatus reports
// VoteHeld in every group and MetaVoteHeld, while c reports none. Once a
// is back the groups elect leaders, b catches up and reports no hold.
func TestNodeStatusShowsTheVoteHold(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	const shards, groups = 64, 4
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: shards, Groups: groups})
	c, err := client.New(client.Config{Nodes: pc.Addrs(), TotalShards: shards, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	err = c.Connect(ctx)
	cancel()
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ids := pc.IDs()
	a, b, cc := ids[0], ids[1], ids[2]
	// Every node of the running cluster votes.
	for _, id := range ids {
		waitStatus(t, c, id, "no vote held on "+id, func(st *client.NodeStatus) bool { return len(held(st)) == 0 && !st.MetaVoteHeld })
	}

	pc.Kill(t, a)
	pc.Kill(t, b)
	pc.Wipe(t, b)
	// c alone steps down everywhere; b must not find a leader to catch up from.
	waitStatus(t, c, cc, cc+" leading no group", func(st *client.NodeStatus) bool {
		for _, g := range st.Groups {
			if g.State == "leader" {
				return false
			}
		}
		return true
	})
	from := len(pc.Log(t, b))
	pc.Launch(t, b)
	waitMinute(t, b+" saying it holds its vote", func() bool {
		return strings.Contains(pc.Log(t, b)[from:], "not voting in any group until it has caught up")
	})
	st := waitStatus(t, c, b, b+" answering", func(*client.NodeStatus) bool { return true })
	if len(st.Groups) != groups || len(held(st)) != groups || !st.MetaVoteHeld {
		t.Fatalf("%s restarted without data, %s down: NodeStatus shows the vote held in groups %v of %d (meta %v), want all %d and meta",
			b, a, held(st), len(st.Groups), st.MetaVoteHeld, groups)
	}
	if st := waitStatus(t, c, cc, cc+" answering", func(*client.NodeStatus) bool { return true }); len(held(st)) != 0 || st.MetaVoteHeld {
		t.Fatalf("%s kept its data but NodeStatus shows its vote held in groups %v (meta %v)", cc, held(st), st.MetaVoteHeld)
	}

	pc.Restart(t, a)
	waitStatus(t, c, b, b+" caught up and voting", func(st *client.NodeStatus) bool {
		return len(st.Groups) == groups && len(held(st)) == 0 && !st.MetaVoteHeld
	})
}

// held lists the groups in which a node reports its vote held.
func held(st *client.NodeStatus) []int {
	var out []int
	for _, g := range st.Groups {
		if g.VoteHeld {
			out = append(out, g.GroupID)
		}
	}
	return out
}

// waitStatus polls a node's NodeStatus until ok accepts it (a minute at
// most: a restarted node may take a few reconnects to answer).
func waitStatus(t *testing.T, c *client.Client, id, what string, ok func(*client.NodeStatus) bool) *client.NodeStatus {
	t.Helper()
	var last string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := c.NodeStatus(ctx, id)
		cancel()
		if err == nil && ok(st) {
			return st
		}
		if err != nil {
			last = err.Error()
		} else {
			last = fmt.Sprintf("held in groups %v, meta %v", held(st), st.MetaVoteHeld)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waited a minute for %s; last answer: %s", what, last)
	return nil
}

// waitMinute polls cond until it holds, failing the test after a minute.
func waitMinute(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
