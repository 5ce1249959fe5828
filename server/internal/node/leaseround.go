package node

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/raft"
)

// errNoQuorum says a quorum round did not hear from enough voters in time.
var errNoQuorum = errors.New("leadership not confirmed by a quorum in time")

// leaseCheck asks a voter, over the replication port, how it sees a group.
type leaseCheck struct {
	Channel uint32 `json:"ch"`
}

// leaseAnswer is a voter's view of a group: its term, its leader and how
// long ago it last heard from that leader.
type leaseAnswer struct {
	Term    uint64 `json:"term"`
	Leader  string `json:"leader"`
	SinceNs int64  `json:"since_ns"`
}

// answerLeaseCheck reports this node's view of the group on channel.
// Why not raft.VerifyLeader for the rounds: it counts any successful
// heartbeat or append response that arrives after it was called, even
// one answering a request sent before (a leader resumed from SIGSTOP reads
// replies its followers sent before they elected someone else), so a
// quorum round measured from its start would not be sound.
func (n *Node) answerLeaseCheck(c *leaseCheck) *leaseAnswer {
	rg := n.raftGroupOn(c.Channel)
	if rg == nil {
		return &leaseAnswer{}
	}
	r := rg.raft
	term := r.CurrentTerm()
	_, leader := r.LeaderWithID()
	since := time.Since(r.LastContact())
	// A consistent view: the term did not move while we looked, and we
	// follow (a candidate has dropped its leader already).
	if r.State() != raft.Follower || r.CurrentTerm() != term {
		return &leaseAnswer{Term: r.CurrentTerm()}
	}
	return &leaseAnswer{Term: term, Leader: string(leader), SinceNs: int64(since)}
}

// raftGroupOn returns the local Raft group replicating on channel, or nil.
func (n *Node) raftGroupOn(ch uint32) *raftGroup {
	if ch == metaChannel {
		return n.meta
	}
	if grp := n.groups[int(ch)-1]; grp != nil {
		return grp.rg
	}
	return nil
}

// confirmRound runs one quorum round for rg: every other voter is asked
// for its view at once, and the round succeeds when enough of them
// (with this leader, a majority) follow this leader in its current term.
// The window is how long after the round's start they will refuse to vote
// for anyone else (see lease.go).
func (n *Node) confirmRound(rg *raftGroup) func(context.Context, time.Duration) (roundResult, error) {
	// The watchdog may lower a follower's timeout by nudgeDelta for a moment.
	hb := n.cfg.Timing.HeartbeatTimeout - nudgeDelta
	voters := rg.voters
	return func(ctx context.Context, timeout time.Duration) (roundResult, error) {
		r := rg.raft
		term := r.CurrentTerm()
		if r.State() != raft.Leader {
			return roundResult{}, raft.ErrNotLeader
		}
		need := len(voters) / 2 // acknowledgements besides our own
		if need == 0 {
			return roundResult{term: term, window: hb}, nil
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		type answer struct {
			ok     bool
			higher bool
			window time.Duration
		}
		answers := make(chan answer, len(voters))
		asked := 0
		for _, v := range voters {
			if v.ID == n.self.ID {
				continue
			}
			asked++
			rg.calls.Add(1)
			go func() {
				defer rg.calls.Done()
				rep, err := n.call(ctx, v.RaftAddr, controlRequest{Lease: &leaseCheck{Channel: rg.channel}})
				a := rep.Lease
				switch {
				case err != nil || a == nil:
					answers <- answer{}
				case a.Term > term:
					answers <- answer{higher: true}
				case a.Term == term && a.Leader == n.self.ID:
					answers <- answer{ok: true, window: hb - time.Duration(a.SinceNs)}
				default:
					answers <- answer{}
				}
			}()
		}
		window, acks, failed := hb, 0, 0
		for acks < need {
			select {
			case a := <-answers:
				switch {
				case a.higher:
					return roundResult{}, raft.ErrNotLeader
				case a.ok:
					acks++
					window = min(window, a.window)
				default:
					if failed++; asked-failed < need {
						return roundResult{}, errNoQuorum
					}
				}
			case <-ctx.Done():
				return roundResult{}, errNoQuorum
			}
		}
		if r.State() != raft.Leader || r.CurrentTerm() != term {
			return roundResult{}, raft.ErrNotLeader
		}
		return roundResult{term: term, window: window}, nil
	}
}

// leaseHolds reports whether this leader may serve a lease read for term
// now: its lease holds and it still leads that term.
func (g *raftGroup) leaseHolds(term uint64) bool {
	return g.lease.holds(term) && g.raft.State() == raft.Leader && g.raft.CurrentTerm() == term
}

// confirmRead waits for a quorum round that started after the call, then
// for this leader to apply everything committed: what it reads afterwards
// includes every write acknowledged before the call (ReadIndex). A failed
// round answers NOT_LEADER: the client retries, here or at the hint.
func (n *Node) confirmRead(ctx context.Context, g int, grp *Group) error {
	res, err := grp.rg.lease.round(time.Now()).wait(ctx)
	switch {
	case err == nil:
		return n.awaitApplied(ctx, g, grp.rg, res.term)
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errNoQuorum):
		return n.notLeader(g)
	}
	return n.raftErr(g, err)
}

// awaitApplied waits until this leader of term has applied all earlier
// terms' entries and everything committed now.
func (n *Node) awaitApplied(ctx context.Context, g int, rg *raftGroup, term uint64) error {
	ready, err := rg.leaderReady(defaultProposeTimeout)
	if err != nil {
		return n.raftErr(g, err)
	}
	if ready != term {
		return n.notLeader(g) // re-elected meanwhile: the client retries
	}
	r := rg.raft
	commit := r.CommitIndex()
	for r.AppliedIndex() < commit {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return nil
}
