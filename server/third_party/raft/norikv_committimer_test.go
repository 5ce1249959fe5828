package raft

import (
	"testing"
	"time"
)

// TestCommitTimerRearms: the replicator's commit timer fires after a reset,
// a value it fired that the loop did not take does not fire the next round
// at once, a zero timeout never fires, and re-arming allocates nothing
// (randomTimeout allocated a timer per round, a round per batch of new
// entries and follower).
func TestCommitTimerRearms(t *testing.T) {
	ct := newCommitTimer(time.Millisecond)
	defer ct.stop()
	select {
	case <-ct.c:
	case <-time.After(time.Minute):
		t.Fatal("a 1 ms commit timer did not fire within a minute")
	}

	// Fired and not taken: wait until it has fired (a second timer of the
	// same duration started after it fired too), then re-arm for an hour.
	ct.reset(time.Millisecond)
	<-time.After(20 * time.Millisecond)
	ct.reset(time.Hour)
	select {
	case <-ct.c:
		t.Fatal("re-armed for an hour, the commit timer fired at once (a stale value)")
	default:
	}

	ct.reset(0)
	if ct.c != nil {
		t.Fatal("a zero commit timeout has a channel; want nil (never ready)")
	}
	ct.reset(time.Hour)
	if allocs := testing.AllocsPerRun(100, func() { ct.reset(time.Hour) }); allocs != 0 {
		t.Fatalf("re-arming allocates %.1f times; want 0", allocs)
	}
}
