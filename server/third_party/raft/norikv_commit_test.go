package raft

// Tests of the NoriKV patch (README.NORIKV.md): commits reached by the
// followers are processed while the leader's own log write runs.

import (
	"sync"
	"testing"
	"time"
)

// TestCommitDuringLeaderWrite holds the leader's log write: both followers
// store the entry meanwhile, which commits it, so the Apply returns and
// the leader's state machine applies it before the leader's write ends.
func TestCommitDuringLeaderWrite(t *testing.T) {
	c := startOverlapCluster(t, true)
	l := c.leader(t)
	if err := c.rafts[l].Apply([]byte("warm"), 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	entered, releaseOnce := c.stores[l].hold()
	var once sync.Once
	release := func() { once.Do(releaseOnce) }
	defer release()
	f := c.rafts[l].Apply([]byte("x"), 10*time.Second)
	<-entered
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Apply waited for the leader's own write although both followers stored the entry")
	}
	c.fsms[l].Lock()
	n := len(c.fsms[l].logs)
	c.fsms[l].Unlock()
	if n != 2 {
		t.Fatalf("leader applied %d commands during its write, want 2", n)
	}
	release()
	// The write's end leaves the leader leading and writing.
	if err := c.rafts[l].Apply([]byte("y"), 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	c.waitApplied(t, 3)
}
