package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/kvstore"
)

// NotLeaderError says this node cannot serve the request for a group; Hint
// is the current leader's client address, empty while none is known.
type NotLeaderError struct {
	Group int
	Hint  string
}

func (e *NotLeaderError) Error() string {
	if e.Hint == "" {
		return fmt.Sprintf("not the leader of group %d (no leader known)", e.Group)
	}
	return fmt.Sprintf("not the leader of group %d (leader at %s)", e.Group, e.Hint)
}

// ErrShuttingDown is returned while the node stops.
var ErrShuttingDown = errors.New("node is shutting down")

// Consistency is a read level (PROTOCOL.md §4).
type Consistency int

// Read levels.
const (
	Lease Consistency = iota
	Linearizable
	Stale
)

const defaultProposeTimeout = 5 * time.Second

// LeaderHint returns the client address of group g's leader, if known.
func (n *Node) LeaderHint(g int) string {
	if grp := n.groups[g]; grp != nil {
		if _, id := grp.rg.raft.LeaderWithID(); id != "" {
			if nd, ok := n.cfg.Layout.NodeByID(string(id)); ok {
				return nd.Addr
			}
		}
	}
	st, _ := n.metaFSM.State()
	if id, ok := st.Topology.Leaders[g]; ok {
		if nd, ok := n.cfg.Layout.NodeByID(id); ok && id != n.self.ID {
			return nd.Addr
		}
	}
	return ""
}

func (n *Node) notLeader(g int) error { return &NotLeaderError{Group: g, Hint: n.LeaderHint(g)} }

// leaderGroup returns group g if this node currently leads it.
func (n *Node) leaderGroup(g int) (*Group, error) {
	grp := n.groups[g]
	if grp == nil || grp.rg.raft.State() != raft.Leader {
		return nil, n.notLeader(g)
	}
	return grp, nil
}

// Propose replicates a write through group g's log and returns the state
// machine's result. NowMs is stamped here, on the leader, if unset.
func (n *Node) Propose(ctx context.Context, g int, cmd *kvstore.Command) (kvstore.Result, error) {
	grp, err := n.leaderGroup(g)
	if err != nil {
		return kvstore.Result{}, err
	}
	if cmd.NowMs == 0 {
		cmd.NowMs = time.Now().UnixMilli()
	}
	timeout := defaultProposeTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	f := grp.rg.raft.Apply(cmd.Encode(), timeout)
	if err := f.Error(); err != nil {
		return kvstore.Result{}, n.raftErr(g, err)
	}
	res, ok := f.Response().(kvstore.Result)
	if !ok {
		return kvstore.Result{}, fmt.Errorf("group %d: unexpected apply result %T", g, f.Response())
	}
	return res, nil
}

func (n *Node) raftErr(g int, err error) error {
	switch {
	case errors.Is(err, raft.ErrNotLeader), errors.Is(err, raft.ErrLeadershipLost),
		errors.Is(err, raft.ErrLeadershipTransferInProgress), errors.Is(err, raft.ErrNotVoter):
		return n.notLeader(g)
	case errors.Is(err, raft.ErrRaftShutdown):
		return ErrShuttingDown
	default:
		return fmt.Errorf("group %d: %w", g, err)
	}
}

// Read runs fn on group g's state machine once this node may serve a read
// at level: Stale on any replica; Lease on the leader while its lease holds,
// checked again after fn ran (a pause between the check and the read must
// not serve stale data), else like Linearizable: after a quorum round that
// started after the call and once everything committed is applied (see
// lease.go). fn may run twice (when the lease ran out during the first run);
// it should only collect what it read.
func (n *Node) Read(ctx context.Context, g int, level Consistency, fn func(*kvstore.FSM) error) error {
	if level == Stale {
		grp := n.groups[g]
		if grp == nil {
			return n.notLeader(g)
		}
		return fn(grp.FSM)
	}
	grp, err := n.leaderGroup(g)
	if err != nil {
		return err
	}
	// Followers learn of a new leader from its first entries: wait for them
	// (and for earlier terms to be applied) before asking them.
	term, err := grp.rg.leaderReady(defaultProposeTimeout)
	if err != nil {
		return n.raftErr(g, err)
	}
	if level == Lease {
		if grp.rg.leaseHolds(term) {
			if err := fn(grp.FSM); err != nil || grp.rg.leaseHolds(term) {
				return err
			}
		}
	}
	if err := n.confirmRead(ctx, g, grp); err != nil {
		return err
	}
	return fn(grp.FSM)
}

// ReadGroup returns group g's state machine once it may serve a read at
// the given level. The caller reads after it returns, so it cannot check a
// lease after the read: Lease is served like Linearizable here (a batched
// quorum round). Use Read for cheap lease reads.
func (n *Node) ReadGroup(ctx context.Context, g int, level Consistency) (*kvstore.FSM, error) {
	var fsm *kvstore.FSM
	if level == Lease {
		level = Linearizable
	}
	err := n.Read(ctx, g, level, func(f *kvstore.FSM) error {
		fsm = f
		return nil
	})
	return fsm, err
}

// IsLeader reports whether this node leads group g now.
func (n *Node) IsLeader(g int) bool {
	grp := n.groups[g]
	return grp != nil && grp.rg.raft.State() == raft.Leader
}

// TransferGroup moves group g's leadership to node target, records target
// as the group's preferred leader (so balancing keeps it there), and waits
// until the cluster view shows the move.
func (n *Node) TransferGroup(ctx context.Context, g int, target string) error {
	grp, err := n.leaderGroup(g)
	if err != nil {
		return err
	}
	tn, ok := n.cfg.Layout.NodeByID(target)
	if !ok || !n.cfg.Layout.IsReplica(g, target) {
		return fmt.Errorf("node %q does not replicate group %d", target, g)
	}
	if err := n.cannotLead(ctx, g, target, tn.RaftAddr); err != nil { // storage.go
		return err
	}
	if err := n.setPreferred(ctx, g, target); err != nil {
		return err
	}
	if target != n.self.ID {
		if err := grp.rg.transferLeadership(target, tn.RaftAddr); err != nil {
			return fmt.Errorf("transfer group %d to %s: %w", g, target, err)
		}
	}
	for {
		st, changed := n.metaFSM.State()
		if st.Topology.Leaders[g] == target {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("transfer group %d to %s: waiting for the view to show it: %w", g, target, ctx.Err())
		case <-changed:
		}
	}
}

// SnapshotGroup snapshots this node's replica of group g now.
func (n *Node) SnapshotGroup(g int) error {
	grp := n.groups[g]
	if grp == nil {
		return n.notLeader(g)
	}
	err := grp.rg.raft.Snapshot().Error()
	if err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
		return fmt.Errorf("snapshot group %d: %w", g, err)
	}
	return nil
}
