package node

import (
	"context"

	"github.com/hashicorp/raft"
)

// Fast start.
//
// Two waits dominated a fresh cluster's start (measured with the embedded
// cluster: ready after 1.4-1.8 s, of which 0.6-1.0 s was spent here):
//
//   - Followers of the metadata group learn that an entry is committed only
//     with the leader's next AppendEntries, which on an idle group comes
//     after CommitTimeout (hashicorp/raft waits a random 1-2x of it, so
//     0.5-1 s). Until then only the leader's copy shows the topology that
//     names every group's leader. pushMetaCommits appends a barrier (a no-op
//     entry) on the metadata leader after each change it applies, whose
//     AppendEntries carries the new commit index to every follower at once.
//     It costs one small entry per metadata change and nothing when idle.
//   - A follower that never heard from a leader campaigns after the
//     watchdog's start grace (startGrace, 300 ms) because it cannot tell
//     whether its peers are up. When the caller knows they are (the
//     embedded cluster starts every member before it asks), CampaignFresh
//     starts the election of each never-led group this node is first in
//     line for (its preferred leader) at once.
//
// Neither changes what Raft decides: a barrier is an ordinary log entry,
// and an election may start at any time (pre-vote still asks the peers
// first, and an election on a group that has a leader fails harmlessly).

// pushMetaCommits runs until ctx ends, pushing the metadata leader's commit
// index to the followers after every change of the metadata.
func (n *Node) pushMetaCommits(ctx context.Context) {
	_, changed := n.metaFSM.State()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		// Take the next change's channel before pushing, so a change
		// applied meanwhile is pushed too.
		_, changed = n.metaFSM.State()
		if n.meta.raft.State() == raft.Leader {
			// Not waited for: the entry goes out with the commit index
			// whether or not it commits soon (a leader losing its quorum
			// would hold Close up until it steps down).
			_ = n.meta.raft.Barrier(n.cfg.Timing.CommitTimeout)
		}
	}
}

// CampaignFresh starts, now, the election of every Raft group (the
// metadata group included) that has never had a leader and whose first
// voter (its preferred leader) is this node. Call it only once every voter
// of those groups runs: a campaign that reaches no quorum leaves the group
// without a leader for an election timeout. Groups that have had a leader,
// or know one, are left alone.
func (n *Node) CampaignFresh() {
	if !n.opened.Load() || n.closing.Load() {
		return
	}
	n.campaignIfFresh(n.meta)
	for _, grp := range n.groups {
		n.campaignIfFresh(grp.rg)
	}
}

func (n *Node) campaignIfFresh(rg *raftGroup) {
	r := rg.raft
	if len(rg.voters) == 0 || rg.voters[0].ID != n.self.ID {
		return
	}
	// Index 1 holds the bootstrap configuration: a group that ever elected
	// a leader has that leader's first entry after it.
	if r.State() != raft.Follower || !r.LastContact().IsZero() || r.LastIndex() > 1 {
		return
	}
	if _, id := r.LeaderWithID(); id != "" {
		return
	}
	// The watchdog's nudge (watchdog.go): a lower HeartbeatTimeout fires
	// the follower's timer now, and its rule (no contact for the timeout;
	// never any here) starts the election. The configured value is
	// restored; a value other than it means the watchdog is nudging this
	// group right now, which starts the same election.
	hb := n.cfg.Timing.HeartbeatTimeout
	rc := r.ReloadableConfig()
	if rc.HeartbeatTimeout != hb {
		return
	}
	rc.HeartbeatTimeout = hb - nudgeDelta
	if r.ReloadConfig(rc) != nil {
		return
	}
	rc.HeartbeatTimeout = hb
	_ = r.ReloadConfig(rc)
}
