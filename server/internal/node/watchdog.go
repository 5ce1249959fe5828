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
// average and up to two. The watchdog checks every follower group often
// and, once its leader has been silent for a HeartbeatTimeout (plus a
// stagger by replica rank, so the two followers of a group do not split
// the vote), makes Raft check at once: lowering HeartbeatTimeout through
// ReloadConfig fires the follower's timer now (raft.go runFollower,
// followerNotifyCh), and the old value is restored right after. The rule
// for starting an election is unchanged (silence of HeartbeatTimeout -
// nudgeDelta), so a stall shorter than the timeout still causes none,
// while a dead leader is replaced in about one timeout.

const (
	watchdogEvery = 50 * time.Millisecond
	// nudgeDelta is how much lower HeartbeatTimeout is set for a moment to
	// make a follower check its leader now; LeaderLeaseTimeout must stay
	// at most HeartbeatTimeout - nudgeDelta.
	nudgeDelta = time.Millisecond
	// rankStagger delays the watchdog of each further replica in line.
	rankStagger = 150 * time.Millisecond
)

// nudgeElections runs the watchdog over every local Raft group.
func (n *Node) nudgeElections(context.Context) {
	hb := n.cfg.Timing.HeartbeatTimeout
	n.nudgeGroup(n.meta, hb+n.rank(n.meta)*rankStagger)
	for _, grp := range n.groups {
		n.nudgeGroup(grp.rg, hb+n.rank(grp.rg)*rankStagger)
	}
}

// nudgeGroup makes rg's follower check for a silent leader now, if it has
// been silent for after, at most once per after.
func (n *Node) nudgeGroup(rg *raftGroup, after time.Duration) {
	r := rg.raft
	if r.State() != raft.Follower || time.Since(r.LastContact()) < after || time.Since(rg.lastNudge) < after {
		return
	}
	rg.lastNudge = time.Now()
	rc := r.ReloadableConfig()
	hb := rc.HeartbeatTimeout
	rc.HeartbeatTimeout = hb - nudgeDelta
	if r.ReloadConfig(rc) != nil {
		return
	}
	rc.HeartbeatTimeout = hb
	_ = r.ReloadConfig(rc)
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
