package client

import (
	"testing"
	"time"
)

// TestUnreachableNodeShownAndRevived: a node whose calls time out shows as
// unreachable in ClusterView and Stats although the view calls it alive;
// once it answers again (re-checked while someone looks) it shows reachable.
func TestUnreachableNodeShownAndRevived(t *testing.T) {
	checkLeaks(t)
	a := startFake(t, fakeServices{meta: true})
	b := startFake(t, fakeServices{meta: true})
	nodes := map[string]string{"a": a.addr, "b": b.addr}
	scriptWatch(a, false, view(5, 16, "a", nodes))
	// b hangs from the start: a watch stream the client opened to it before
	// it hung went on delivering b's scripted views, each one marking b
	// reachable again (under -race: 'want only b unreachable').
	hung := make(chan struct{})
	b.set(func(f *fakeNode) {
		f.onWatch = func(s grpcViewStream) error { // hung: never answers
			select {
			case <-hung:
			case <-s.Context().Done():
			}
			return nil
		}
	})
	c, err := New(Config{Nodes: []string{a.addr, b.addr}, TotalShards: 16, Timeout: time.Second,
		Retry: RetryConfig{MaxAttempts: 2, InitialDelay: time.Millisecond, Jitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	n, _ := c.pool.Get(b.addr)
	n.MarkFailed(time.Second) // as a timed-out request would
	unreachable := func() []string { return c.Stats().Topology.UnreachableNodes }
	// (a probe of a that was slow under load may have marked it too; its
	// re-check clears that)
	waitFor(t, "only b unreachable", func() bool {
		un := unreachable()
		return len(un) == 1 && un[0] == "b"
	})
	for _, nd := range c.ClusterView().Nodes {
		if nd.Unreachable != (nd.ID == "b") || nd.Role != "alive" {
			t.Fatalf("node %+v: want only b unreachable, roles as the view says", nd)
		}
	}
	// Still hung: the re-check times out and b stays unreachable.
	time.Sleep(1500 * time.Millisecond)
	if un := unreachable(); len(un) != 1 {
		t.Fatalf("hung node shown reachable: %v", un)
	}
	close(hung)
	scriptWatch(b, false, view(5, 16, "a", nodes))
	waitFor(t, "b reachable again", func() bool { return len(unreachable()) == 0 })
}
