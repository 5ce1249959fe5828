package node

import (
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/transport"
)

// GroupStatus is one local replication group as this node sees it.
type GroupStatus struct {
	ID          int
	State       string // leader, follower, candidate, shutdown
	Term        uint64
	CommitIndex uint64
	AppliedIdx  uint64
	LastLogIdx  uint64
	LeaderID    string
	LastContact time.Duration // 0 on the leader
	Keys        int
	// ExpiredDeletes counts keys this replica deleted on expiry.
	ExpiredDeletes uint64
	Peers          []string
	// VoteHeld: this node started without data and has not caught up in
	// the group yet, so it neither votes nor campaigns there (votehold.go).
	VoteHeld bool
	// Vector indexes held by this replica: how many, their live vectors
	// and approximate memory.
	VectorIndexes int
	Vectors       int
	VectorBytes   int64
}

// Status reports every local group, in id order.
func (n *Node) Status() []GroupStatus {
	var out []GroupStatus
	for _, grp := range n.Groups() {
		r := grp.rg.raft
		_, leader := r.LeaderWithID()
		st := GroupStatus{
			ID:             grp.ID,
			State:          strings.ToLower(r.State().String()),
			Term:           r.CurrentTerm(),
			CommitIndex:    r.CommitIndex(),
			AppliedIdx:     r.AppliedIndex(),
			LastLogIdx:     r.LastIndex(),
			LeaderID:       string(leader),
			Keys:           grp.FSM.Len(),
			ExpiredDeletes: grp.FSM.ExpiredDeletes(),
			VoteHeld:       r.VoteHeld(),
		}
		for _, ix := range grp.Vectors.List() {
			st.VectorIndexes++
			st.Vectors += ix.Count
			st.VectorBytes += ix.Bytes
		}
		if r.State() != raft.Leader {
			if lc := r.LastContact(); !lc.IsZero() {
				st.LastContact = time.Since(lc)
			}
		}
		for _, nd := range n.cfg.Layout.Replicas(grp.ID) {
			st.Peers = append(st.Peers, nd.ID)
		}
		out = append(out, st)
	}
	return out
}

// AllGroupsLed reports whether every group this node holds has a known leader.
func (n *Node) AllGroupsLed() bool {
	for _, grp := range n.groups {
		if _, id := grp.rg.raft.LeaderWithID(); id == "" {
			return false
		}
	}
	return true
}

// IdleWork counts the replication traffic this node has sent that an idle
// cluster pays for: coalesced Raft heartbeats, commit index re-sends (sent
// and skipped, transport/resend.go) and node heartbeats.
type IdleWork struct {
	transport.HeartbeatStats
	NodeHeartbeats uint64 // sent to a metadata leader on another node
}

// IdleWork reports this node's counts since it started.
func (n *Node) IdleWork() IdleWork {
	return IdleWork{HeartbeatStats: n.mux.HeartbeatStats(), NodeHeartbeats: n.health.sent.Load()}
}
