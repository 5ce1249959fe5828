package raft

import (
	"sync"
	"testing"
	"time"
)

// TestHungLeaderWriteLosesLeadership: a leader whose own log write hangs
// (a disk that stopped answering) kept heartbeating from its other
// goroutines, so its followers elected nobody and the group took no write
// until the disk answered. Now they elect another leader, which takes
// writes; the old one steps down once its write returns. Both write paths:
// with the leader's write overlapping its followers' and without.
func TestHungLeaderWriteLosesLeadership(t *testing.T) {
	for _, overlap := range []bool{true, false} {
		c := startOverlapClusterWith(t, overlap, func(rc *Config) { rc.StuckWriteTimeout = rc.HeartbeatTimeout })
		l := c.leader(t)
		if err := c.rafts[l].Apply([]byte("warm"), 5*time.Second).Error(); err != nil {
			t.Fatal(err)
		}
		entered, releaseOnce := c.stores[l].hold()
		var once sync.Once
		release := func() { once.Do(releaseOnce) }
		c.rafts[l].Apply([]byte("x"), 30*time.Second) // its write hangs
		<-entered
		next := -1
		deadline := time.Now().Add(30 * time.Second)
		for next < 0 {
			if time.Now().After(deadline) {
				release()
				t.Fatalf("overlap %v: no other leader within 30 s while the leader's write hung", overlap)
			}
			for i, r := range c.rafts {
				if i != l && r.State() == Leader {
					next = i
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := c.rafts[next].Apply([]byte("y"), 10*time.Second).Error(); err != nil {
			t.Fatalf("overlap %v: the new leader's Apply: %v", overlap, err)
		}
		release()
		for c.rafts[l].State() == Leader {
			if time.Now().After(deadline) {
				t.Fatalf("overlap %v: the old leader still leads after its write returned", overlap)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
