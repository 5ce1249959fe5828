package client_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

// Stats().Pool lists a connection that is open but failing: found in tmux
// with a cluster killed under a watching console, whose cluster pane read
// "unreachable ... CONN yes" for two nodes (the pool still held their
// connections). Pool.Failing names the addresses whose node does not
// answer on its connection, so the pane can say "down".
func TestPoolStatsNameAStoppedNodesConnectionFailing(t *testing.T) {
	cl, c := startCluster(t)
	addrs := cl.Addrs()
	if f := c.Stats().Pool.Failing; len(f) != 0 {
		t.Fatalf("healthy cluster: Pool.Failing = %v, want none", f)
	}
	stopNode(t, cl, "n2")
	deadline := time.Now().Add(15 * time.Second)
	for {
		// As the console's cluster pane polls each node's status.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, _ = c.NodeStatus(ctx, addrs[1])
		cancel()
		st := c.Stats().Pool
		if slices.Contains(st.Failing, addrs[1]) {
			if !slices.Contains(st.Addrs, addrs[1]) {
				t.Fatalf("Pool.Failing %v names %s, which Pool.Addrs %v does not hold", st.Failing, addrs[1], st.Addrs)
			}
			for _, a := range st.Failing {
				if a != addrs[1] {
					t.Fatalf("Pool.Failing = %v: %s is up", st.Failing, a)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("n2 (%s) stopped 15 s ago, Pool = %+v: its connection is not listed as failing", addrs[1], st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
