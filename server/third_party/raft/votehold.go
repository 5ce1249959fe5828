// NoriKV patch: the vote hold of a voter restarted without its data.
//
// Raft's safety assumes a voter never forgets its log or its vote. A node
// whose disk was replaced (or whose data dir was deleted) and that starts
// again with the same id has forgotten both: with an empty log it grants
// its vote to any candidate, one that lacks entries it had acknowledged
// included, and such a candidate can win and overwrite those entries on
// the others (an acknowledged write lost), or it votes a second time in a
// term it had already voted in.
//
// Config.HoldVoteUntil is the same hold for a set time: a voter that
// crashed and came back at once has forgotten whom it followed, and so the
// promise hashicorp/raft keeps implicitly (no vote for another candidate
// while it knows a leader, that is for HeartbeatTimeout after its last
// contact), on which the leader's lease reads rest. Until that time has
// passed it neither votes nor campaigns (NoriKV: node/restarthold.go).
//
// Config.HoldVoteUntilCaughtUp makes such a node neither vote (RequestVote
// and RequestPreVote are refused) nor campaign until it has caught up with
// a leader: until an AppendEntries it accepted left its log holding the
// leader commit index carried by the first AppendEntries it accepted
// after its start and by that request itself. A leader elected without
// this node was elected by voters that kept their logs, so its log holds
// every committed entry, and once this node's log matches it up to the
// leader's commit index the node knows at least what it acknowledged
// before it lost its data. Heartbeats (no entries, no commit index) tell
// nothing and are ignored; an InstallSnapshot is followed by the
// AppendEntries that release the hold.
//
// The caller decides when a node is in that state (NoriKV: its group has
// no state on disk while its peers already hold a cluster); the hold cannot
// know whether the node voted before, so it must not stay on a node that
// is part of a new cluster, which would then have no voters:
// ReleaseVoteHold ends it early (NoriKV opens every group without state
// held and releases them once no peer names a cluster).

package raft

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
)

// SetStorageHold is a third hold, set and cleared at run time by the
// caller: a node that cannot write its log (NoriKV: its disk is full,
// node/storage.go) neither votes nor campaigns while it is on. It could
// not keep a leadership (its first log write as leader fails and it steps
// down, and with the longest log it would be elected again at once) nor
// persist a vote.

// errStorageHeld answers a TimeoutNow (a leadership transfer) to a node
// under the storage hold.
var errStorageHeld = errors.New("cannot take leadership: this node cannot write its log")

// voteHold is the state of the hold. Its zero value holds nothing.
type voteHold struct {
	on      atomic.Bool
	storage atomic.Bool // SetStorageHold
	until   time.Time   // Config.HoldVoteUntil; set before the Raft goroutines start, read-only after

	mu          sync.Mutex
	target      uint64 // commit index of the first accepted AppendEntries; 0 until then
	warned      bool   // the refused election has been logged
	warnedTimed bool   // the refused election under the timed hold has been logged
	warnedStore bool   // the refused election under the storage hold has been logged (reset when it ends)
}

// SetStorageHold starts (on) or ends the storage hold: while it is on this
// node refuses votes and pre-votes and starts no election.
func (r *Raft) SetStorageHold(on bool) {
	r.voteHold.storage.Store(on)
	if !on {
		r.voteHold.mu.Lock()
		r.voteHold.warnedStore = false
		r.voteHold.mu.Unlock()
	}
}

// StorageHeld reports whether the storage hold is on.
func (r *Raft) StorageHeld() bool { return r.voteHold.storage.Load() }

// VoteHeld reports whether this node still holds its vote: it started
// with HoldVoteUntilCaughtUp and has not caught up with a leader yet.
func (r *Raft) VoteHeld() bool { return r.voteHold.on.Load() }

// VoteHeldUntil is Config.HoldVoteUntil: until then this node neither
// votes nor campaigns (zero: no such hold).
func (r *Raft) VoteHeldUntil() time.Time { return r.voteHold.until }

// timed reports whether the timed hold still runs.
func (h *voteHold) timed() bool { return !h.until.IsZero() && time.Now().Before(h.until) }

// ReleaseVoteHold ends the hold now: the caller learned that the node is
// part of a new cluster after all (NoriKV: no peer holds one), where it
// must vote for a first leader to exist.
func (r *Raft) ReleaseVoteHold() { r.voteHold.on.Store(false) }

// holdsVote reports whether a vote (or pre-vote) request must be refused,
// and logs the first refusal.
func (h *voteHold) holdsVote(logger hclog.Logger, candidate ServerAddress) bool {
	if h.storage.Load() {
		return true // the caller says why, once (NoriKV: node/storage.go)
	}
	if h.timed() {
		logger.Warn("rejecting vote request: restarted within a heartbeat timeout of its stop, a leader may still count on this node's support", "from", candidate, "until", h.until.Format("15:04:05.000"))
		return true
	}
	if !h.on.Load() {
		return false
	}
	logger.Warn("rejecting vote request: started without data, not caught up with a leader yet", "from", candidate)
	return true
}

// holdsElection reports whether this follower must not start an election.
func (h *voteHold) holdsElection(logger hclog.Logger) bool {
	timed := h.timed()
	storage := h.storage.Load()
	if !timed && !h.on.Load() && !storage {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case storage:
		if !h.warnedStore {
			h.warnedStore = true
			logger.Warn("heartbeat timeout reached, not starting an election: this node cannot write its log")
		}
	case timed && !h.warnedTimed:
		h.warnedTimed = true
		logger.Warn("heartbeat timeout reached, not starting an election: restarted within a heartbeat timeout of its stop", "until", h.until.Format("15:04:05.000"))
	case !timed && !h.warned:
		h.warned = true
		logger.Warn("heartbeat timeout reached, not starting an election: started without data, not caught up with a leader yet")
	}
	return true
}

// accepted notes an AppendEntries this node accepted (its log now matches
// the leader's up to the request's last entry) and releases the hold once
// the log holds the leader's commit index.
func (h *voteHold) accepted(logger hclog.Logger, a *AppendEntriesRequest) {
	if !h.on.Load() {
		return
	}
	if len(a.Entries) == 0 && a.PrevLogEntry == 0 && a.LeaderCommitIndex == 0 {
		return // a heartbeat: it carries no log position
	}
	matched := a.PrevLogEntry + uint64(len(a.Entries))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.target == 0 {
		h.target = max(a.LeaderCommitIndex, 1)
	}
	if matched < h.target || matched < a.LeaderCommitIndex {
		return
	}
	h.on.Store(false)
	logger.Info("caught up with the leader after starting without data: voting again", "index", matched, "target", h.target)
}
