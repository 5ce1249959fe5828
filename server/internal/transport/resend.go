package transport

import (
	"time"

	"github.com/hashicorp/raft"
)

// Idle commit index re-sends.
//
// A hashicorp/raft leader sends every follower an AppendEntries without
// entries every CommitTimeout (0.5-1 s by default), so that followers
// learn the commit index once writes stop. On an idle group it is the
// same request again and again: same term, same previous entry, same
// commit index. Taking it again changes nothing on a follower that took
// it before and has not restarted since (its log and commit index only
// move forward while it runs), so the transport answers such a repeat
// itself, with the answer the follower gave, when both hold:
//
//   - the same request succeeded on this peer before, and a heartbeat
//     connection to the peer has not been opened since (a restarted peer
//     has lost its commit index; its old connections break, and the next
//     heartbeat opens a new one);
//   - the peer accepted a heartbeat of this group in the leader's term
//     within the last four grid steps (it gets one every step), so the
//     leader's view of its contact, which the answer refreshes, is at
//     most that old.
//
// Any change (a write, a new term, a restarted or silent peer) sends the
// request for real, so followers still learn a new commit index within a
// CommitTimeout of it. Heartbeats are never skipped.

// resendState is the last commit index re-send a peer took.
type resendState struct {
	ok     bool
	term   uint64
	prev   uint64 // PrevLogEntry
	prevT  uint64 // PrevLogTerm
	commit uint64 // LeaderCommitIndex
	epoch  uint64 // heartbeat connection epoch when it was sent
}

func (r resendState) matches(args *raft.AppendEntriesRequest) bool {
	return r.ok && r.term == args.Term && r.prev == args.PrevLogEntry &&
		r.prevT == args.PrevLogTerm && r.commit == args.LeaderCommitIndex
}

// appendEntries sends an AppendEntries without entries that is not a
// heartbeat to addr, or answers an idle commit index re-send itself (see
// above).
func (t *GroupTransport) appendEntries(id raft.ServerID, target raft.ServerAddress, addr string, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	grid := t.mux.hb.gridStep()
	t.mu.Lock()
	p := t.peer(addr)
	fresh := !p.hbAt.IsZero() && time.Since(p.hbAt) < 4*grid
	if grid > 0 && fresh && p.resend.matches(args) && p.resend.epoch == p.hbEpoch {
		t.mu.Unlock()
		*resp = raft.AppendEntriesResponse{Term: args.Term, LastLog: args.PrevLogEntry, Success: true}
		t.mux.hb.skipped.Add(1)
		return nil
	}
	epoch := p.hbEpoch
	p.resend.ok = false
	t.mu.Unlock()
	t.mux.hb.resent.Add(1)
	err := t.NetworkTransport.AppendEntries(id, target, args, resp)
	if err == nil && resp.Success && resp.Term == args.Term && resp.LastLog == args.PrevLogEntry {
		t.mu.Lock()
		p.resend = resendState{ok: true, term: args.Term, prev: args.PrevLogEntry, prevT: args.PrevLogTerm, commit: args.LeaderCommitIndex, epoch: epoch}
		t.mu.Unlock()
	}
	return err
}

// gridStep is the flush grid's step (0: heartbeats flush at once).
func (s *hbSender) gridStep() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grid
}
