package raft

import (
	"math/rand"
	"time"
)

// commitTimer (NoriKV patch) is the commit-timeout case of a replicator's
// loop: one timer re-armed each round with a random duration between the
// timeout and twice it, as randomTimeout draws; c is nil (never ready)
// while the timeout is 0.
type commitTimer struct {
	t *time.Timer
	c <-chan time.Time
}

func newCommitTimer(timeout time.Duration) *commitTimer {
	ct := &commitTimer{}
	ct.reset(timeout)
	return ct
}

// reset re-arms the timer to fire once after a new random duration.
func (ct *commitTimer) reset(timeout time.Duration) {
	if timeout <= 0 {
		if ct.t != nil {
			ct.t.Stop()
		}
		ct.c = nil
		return
	}
	d := timeout + time.Duration(rand.Int63())%timeout
	if ct.t == nil {
		ct.t = time.NewTimer(d)
	} else {
		// A value the loop did not take (another case won) must not
		// fire the next round at once (buffered timer channels, before
		// Go 1.23 or with asynctimerchan=1).
		if !ct.t.Stop() {
			select {
			case <-ct.t.C:
			default:
			}
		}
		ct.t.Reset(d)
	}
	ct.c = ct.t.C
}

func (ct *commitTimer) stop() {
	if ct.t != nil {
		ct.t.Stop()
	}
}
