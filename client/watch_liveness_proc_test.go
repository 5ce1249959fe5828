//go:build unix

package client_test

import (
	"testing"
	"time"
)

// TestWatchLeavesPausedNode: SIGSTOP the node the topology watch streams
// from. The cluster's epoch moves (the node turns suspect, its groups elect
// new leaders); the client must notice the silent stream (our server repeats
// its view every second), move the watch to another node and follow the new
// epoch within a few seconds. The old client stayed on the old epoch.
func TestWatchLeavesPausedNode(t *testing.T) {
	pc, c := procClient(t)
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Topology.WatchNode == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	watchAddr := c.Stats().Topology.WatchNode
	watched := pc.IDOf(watchAddr)
	if watched == "" {
		t.Fatalf("watch streams from %q, not a cluster node", watchAddr)
	}
	// Let the new cluster settle (its first epochs move on their own) so
	// that the epoch change measured is the one the pause causes.
	before := settle(t, pc, c)
	if w := c.Stats().Topology.WatchNode; w != watchAddr {
		watchAddr, watched = w, pc.IDOf(w)
	}
	pc.Pause(t, watched)
	paused := time.Now()
	t.Cleanup(func() {
		if pc.Paused(watched) {
			pc.Resume(t, watched)
		}
	})

	var clusterMoved time.Time // when the other nodes first served a newer epoch
	var target uint64          // that epoch
	for time.Since(paused) < 20*time.Second {
		if clusterMoved.IsZero() {
			if v := pc.View(t); v != nil && v.Epoch > before {
				clusterMoved, target = time.Now(), v.Epoch
			}
		}
		if !clusterMoved.IsZero() && c.ClusterView().Epoch >= target {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if clusterMoved.IsZero() {
		t.Fatalf("the cluster's epoch did not move within 20s of pausing %s", watched)
	}
	followed := time.Now()
	if got := c.ClusterView().Epoch; got < target {
		t.Fatalf("client epoch %d, cluster moved to %d %v after the pause: the client did not follow",
			got, target, clusterMoved.Sub(paused).Round(time.Millisecond))
	}
	lag := followed.Sub(clusterMoved)
	t.Logf("paused %s (watched): cluster epoch %d -> %d after %v; client followed %v after the pause (%v after the cluster); watch now on %s, restarts %d",
		watched, before, target, clusterMoved.Sub(paused).Round(time.Millisecond), followed.Sub(paused).Round(time.Millisecond),
		lag.Round(time.Millisecond), c.Stats().Topology.WatchNode, c.Stats().Topology.WatchRestarts)
	// Generous for a loaded machine: silence bound 3s plus a reconnect.
	if lag > 6*time.Second {
		t.Fatalf("client followed the new epoch %v after the cluster agreed it", lag)
	}
	// The epoch may reach the client another way first (a redirect or a
	// probe); the watch itself leaves once the stream has been silent for
	// its bound (3s) and a reconnect.
	for moveBy := time.Now().Add(6 * time.Second); c.Stats().Topology.WatchNode == watchAddr; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(moveBy) {
			t.Fatalf("watch still on the paused node %s %v after the pause", watchAddr, time.Since(paused).Round(time.Millisecond))
		}
	}
	// The paused node shows as unreachable (once a probe of it timed out),
	// whatever role the last view gave it.
	deadline = time.Now().Add(10 * time.Second)
	for {
		un := c.Stats().Topology.UnreachableNodes
		if len(un) == 1 && un[0] == watched {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unreachable nodes = %v, want [%s]; view %+v", un, watched, c.ClusterView().Nodes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, n := range c.ClusterView().Nodes {
		if n.Unreachable != (n.ID == watched) {
			t.Fatalf("ClusterView node %+v: Unreachable should be %v", n, n.ID == watched)
		}
	}
}
