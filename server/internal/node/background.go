package node

import (
	"context"
	"time"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/meta"
)

const (
	expireBatch           = 1000
	settleBeforeBalancing = time.Second
	// holdBeforeHandBack is how long a leader keeps a group it took over
	// once the cluster has run for startupWindow: its preferred leader
	// lost it, maybe by stalling, and handing it straight back to a node
	// that keeps stalling makes leadership ping-pong (each move an epoch).
	holdBeforeHandBack = 5 * time.Second
	startupWindow      = 10 * time.Second
)

// expire proposes deletes for keys that expired, on the groups this node leads.
// Reads already hide expired keys; this reclaims their memory.
func (n *Node) expire(ctx context.Context) {
	for g, grp := range n.groups {
		if grp.rg.raft.State() != raft.Leader {
			continue
		}
		now := time.Now().UnixMilli()
		entries := grp.FSM.Expired(now, expireBatch)
		if len(entries) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, _ = n.Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdExpire, NowMs: now, Expired: entries})
		cancel()
	}
}

// balance hands each group this node leads to its preferred leader when
// that node is alive: this spreads leadership at start and after a node
// returns, and keeps a TransferShard choice in place.
func (n *Node) balance(ctx context.Context) {
	st, _ := n.metaFSM.State()
	for g, grp := range n.groups {
		if ctx.Err() != nil || grp.rg.raft.State() != raft.Leader {
			continue
		}
		pref, ok := st.Preferred[g]
		if !ok {
			pref = n.cfg.Layout.PreferredLeader(g)
		}
		if term := grp.rg.raft.CurrentTerm(); term != grp.leaderTerm {
			grp.leaderTerm, grp.leaderSince = term, time.Now()
		}
		// A new leader holds on for a while before handing over: its copy of
		// the metadata may not have applied the preference that made it
		// leader (TransferShard) yet, and moving back would undo the transfer.
		settle := settleBeforeBalancing
		if n.Uptime() > startupWindow {
			settle = holdBeforeHandBack
		}
		if time.Since(grp.leaderSince) < settle {
			continue
		}
		if pref == n.self.ID || st.Topology.Health[pref] != meta.Alive {
			continue
		}
		if time.Since(grp.lastBalance) < 3*time.Second {
			continue
		}
		grp.lastBalance = time.Now()
		nd, ok := n.cfg.Layout.NodeByID(pref)
		// storage.go: it would drop the group at its first write; syncwatch.go:
		// its disk is much slower than ours and it would hand the group back.
		if !ok || !n.peerCanTake(ctx, nd.RaftAddr) {
			continue
		}
		_ = grp.rg.transferLeadership(pref, nd.RaftAddr)
	}
}
