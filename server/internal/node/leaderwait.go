package node

import (
	"context"
	"time"

	"github.com/norikv/norikv-console/server/internal/meta"
)

// leaderPoll is how often WaitLeader looks for a leader again.
const leaderPoll = 10 * time.Millisecond

// KnownLeader returns group g's leader as far as this node can tell, or
// ok=false during an election. A replica trusts only its own Raft, which
// forgets the leader once it stops hearing from it; the cluster view lags
// behind elections and would point at a dead leader meanwhile. Other nodes
// use the cluster view, ignoring a leader the view already marks dead.
func (n *Node) KnownLeader(g int) (id, addr string, ok bool) {
	if grp := n.groups[g]; grp != nil {
		_, rid := grp.rg.raft.LeaderWithID()
		id = string(rid)
	} else {
		st, _ := n.metaFSM.State()
		if id = st.Topology.Leaders[g]; st.Topology.Health[id] == meta.Dead {
			id = ""
		}
	}
	nd, found := n.cfg.Layout.NodeByID(id)
	if id == "" || !found {
		return "", "", false
	}
	return id, nd.Addr, true
}

// LeaderWait is how long a request waits for a group without a known
// leader to elect one: about one failure detection plus one election.
func (n *Node) LeaderWait() time.Duration {
	return n.cfg.Timing.HeartbeatTimeout + n.cfg.Timing.ElectionTimeout
}

// WaitLeader returns group g's leader, waiting up to LeaderWait (or until
// ctx ends) while none is known; ok=false when none appeared in time.
func (n *Node) WaitLeader(ctx context.Context, g int) (id, addr string, ok bool) {
	if id, addr, ok = n.KnownLeader(g); ok {
		return id, addr, true
	}
	deadline := time.NewTimer(n.LeaderWait())
	defer deadline.Stop()
	poll := time.NewTicker(leaderPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", "", false
		case <-deadline.C:
			return "", "", false
		case <-poll.C:
			if id, addr, ok = n.KnownLeader(g); ok {
				return id, addr, true
			}
		}
	}
}
