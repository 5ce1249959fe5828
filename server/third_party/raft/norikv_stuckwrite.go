package raft

import (
	"sync/atomic"
	"time"
)

// NoriKV patch (Config.StuckWriteTimeout): a leader whose own log write
// hangs stops heartbeating.
//
// A leader's heartbeats run on their own goroutines, apart from its log
// writes, so a leader whose disk hung (a write that never returns) kept its
// followers from electing anyone else while it could take no new entry:
// its groups accepted no write until the disk answered. Once its log write
// has run longer than StuckWriteTimeout, the leader sends no heartbeats
// and no commit-index updates, so its followers time out and elect another
// leader (as etcd's single loop does when an fsync blocks it). It steps
// down when the write returns and it sees the new term. A write slower than
// the timeout but not hung costs the leadership the same way.

// stuckWrite is the leader's log write in progress.
type stuckWrite struct {
	since  atomic.Int64 // UnixNano when the write began, 0 when none runs
	warned atomic.Bool  // the stop was logged for this write
}

// leaderWriteBegins marks the start of the leader's own log write and
// returns the function that marks its end.
func (r *Raft) leaderWriteBegins() (ends func()) {
	r.stuckWrite.since.Store(time.Now().UnixNano())
	return r.leaderWriteEnds
}

func (r *Raft) leaderWriteEnds() {
	r.stuckWrite.since.Store(0)
	if r.stuckWrite.warned.Swap(false) {
		r.logger.Warn("leader's log write returned: heartbeating again")
	}
}

// leaderWriteStuck reports whether the leader's own log write has run
// longer than StuckWriteTimeout; it logs the first time per write.
func (r *Raft) leaderWriteStuck() bool {
	since := r.stuckWrite.since.Load()
	limit := r.config().StuckWriteTimeout
	if since == 0 || limit <= 0 {
		return false
	}
	took := time.Since(time.Unix(0, since))
	if took <= limit {
		return false
	}
	if !r.stuckWrite.warned.Swap(true) {
		r.logger.Warn("leader's log write has not returned: not heartbeating, so that the followers elect another leader", "for", took.Round(time.Millisecond))
	}
	return true
}
