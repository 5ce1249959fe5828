package node

import (
	"context"
	"time"

	"github.com/hashicorp/raft"
)

// Fast failure detection.
//
// A hashicorp/raft follower notices a silent leader only when its election
// timer fires, and that timer runs free with a random period of one to two
// HeartbeatTimeouts, so detection takes about 1.4 heartbeat timeouts on
// average and up to two. The watchdog watches every follower group and,
// once its leader has been silent for a HeartbeatTimeout (plus a stagger
// by replica rank, so the two followers of a group do not split the vote),
// makes Raft check at once: lowering HeartbeatTimeout through ReloadConfig
// fires the follower's timer now (raft.go runFollower, followerNotifyCh),
// and the old value is restored right after. The rule for starting an
// election is unchanged (silence of HeartbeatTimeout - nudgeDelta), so a
// stall shorter than the timeout still causes none, while a dead leader is
// replaced in about one timeout.
//
// The watchdog does not poll: it sleeps until the first moment a follower
// group could need it (its leader's last contact plus its wait), which on
// a healthy cluster keeps moving ahead with every heartbeat, so it wakes
// about once a second, and exactly on time when a leader does go silent.

const (
	// watchdogIdle bounds the watchdog's sleep as a share of the heartbeat
	// timeout, so a group that turned follower meanwhile is looked at soon.
	watchdogIdle = 2
	// nudgeDelta is how much lower HeartbeatTimeout is set for a moment to
	// make a follower check its leader now; LeaderLeaseTimeout must stay
	// at most HeartbeatTimeout - nudgeDelta.
	nudgeDelta = time.Millisecond
	// rankStagger delays the watchdog of each further replica in line.
	rankStagger = 150 * time.Millisecond
	// startGrace is how long after its start a node that never heard from
	// a leader waits before campaigning (its peers start about then too).
	startGrace = 300 * time.Millisecond
	// heldGrace is how long after its restart hold ends a node that never
	// heard from a leader waits before campaigning (its peers, restarted
	// about when it was, end theirs about then).
	heldGrace = 50 * time.Millisecond
)

// watchdog runs nudgeElections whenever a follower group may need it.
func (n *Node) watchdog(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		timer.Reset(time.Until(n.nudgeElections(time.Now())))
	}
}

// nudgeElections runs the watchdog over every local Raft group and
// returns when it should run next.
func (n *Node) nudgeElections(now time.Time) time.Time {
	next := now.Add(n.cfg.Timing.HeartbeatTimeout / watchdogIdle)
	consider := func(due time.Time) {
		if !due.IsZero() && due.Before(next) {
			next = due
		}
	}
	consider(n.nudgeGroup(n.meta, now))
	for _, grp := range n.groups {
		consider(n.nudgeGroup(grp.rg, now))
	}
	return next
}

// nudgeGroup makes rg's follower check for a silent leader now if the
// leader has been silent long enough, at most once per that time, and
// returns when the group is due next (zero if it is not a follower). A
// follower that has not heard from any leader since the node started (a
// fresh cluster, or a restart) waits only startGrace, in the order of the
// group's voters, so the preferred leader is usually elected first and
// nothing has to be handed over.
func (n *Node) nudgeGroup(rg *raftGroup, now time.Time) time.Time {
	r := rg.raft
	if r.State() != raft.Follower {
		return time.Time{}
	}
	ref, after := r.LastContact(), n.cfg.Timing.HeartbeatTimeout+n.rank(rg)*rankStagger
	if ref.IsZero() {
		ref, after = n.started, startGrace+n.rankFromFirst(rg)*rankStagger
		// A restart hold (restarthold.go) refuses elections until its end:
		// campaign right after it, in the same order, instead of waiting
		// for Raft's own timer (one to two heartbeat timeouts more).
		if u := r.VoteHeldUntil(); u.After(ref.Add(startGrace)) {
			ref, after = u, heldGrace+n.rankFromFirst(rg)*rankStagger
		}
	}
	due := ref.Add(after)
	if again := rg.lastNudge.Add(after); again.After(due) {
		due = again
	}
	if now.Before(due) {
		return due
	}
	rg.lastNudge = now
	rc := r.ReloadableConfig()
	hb := rc.HeartbeatTimeout
	rc.HeartbeatTimeout = hb - nudgeDelta
	if r.ReloadConfig(rc) == nil {
		rc.HeartbeatTimeout = hb
		_ = r.ReloadConfig(rc)
	}
	return now.Add(after)
}

// rankFromFirst is this node's place in the group's voter list.
func (n *Node) rankFromFirst(rg *raftGroup) time.Duration {
	for i, v := range rg.voters {
		if v.ID == n.self.ID {
			return time.Duration(i)
		}
	}
	return time.Duration(len(rg.voters))
}

// rank is this node's place in line to replace rg's leader: 0 for the
// voter after the leader in the group's voter list, 1 for the next, and so on.
func (n *Node) rank(rg *raftGroup) time.Duration {
	_, leader := rg.raft.LeaderWithID()
	li, self := 0, 0
	for i, v := range rg.voters {
		if v.ID == string(leader) {
			li = i
		}
		if v.ID == n.self.ID {
			self = i
		}
	}
	k := len(rg.voters)
	if k == 0 {
		return 0
	}
	return time.Duration((self - li - 1 + k) % k)
}
