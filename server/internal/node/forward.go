package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
)

// forwardPropose asks a group's leader, over the replication port, to
// propose a command this node cannot (it does not lead the group).
type forwardPropose struct {
	Group int    `json:"group"`
	Cmd   []byte `json:"cmd"`
}

// forwardRetry is the pause between attempts while a group elects a leader.
const forwardRetry = 20 * time.Millisecond

// ProposeAnywhere replicates cmd through group g's log from any node: here
// when this node leads g, else forwarded to g's current leader. It retries
// through elections until ctx ends.
func (n *Node) ProposeAnywhere(ctx context.Context, g int, cmd *kvstore.Command) (kvstore.Result, error) {
	if g < 0 || g >= n.cfg.Layout.Groups {
		return kvstore.Result{}, fmt.Errorf("no replication group %d", g)
	}
	if cmd.NowMs == 0 {
		cmd.NowMs = time.Now().UnixMilli()
	}
	for {
		res, err := n.proposeOnce(ctx, g, cmd)
		var nl *NotLeaderError
		if err == nil || !errors.As(err, &nl) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return kvstore.Result{}, fmt.Errorf("propose to group %d: %w (last: %v)", g, ctx.Err(), err)
		case <-time.After(forwardRetry):
		}
	}
}

func (n *Node) proposeOnce(ctx context.Context, g int, cmd *kvstore.Command) (kvstore.Result, error) {
	if n.IsLeader(g) {
		return n.Propose(ctx, g, cmd)
	}
	id := n.leaderID(g)
	nd, ok := n.cfg.Layout.NodeByID(id)
	if id == "" || id == n.self.ID || !ok {
		return kvstore.Result{}, n.notLeader(g)
	}
	rep, err := n.call(ctx, nd.RaftAddr, controlRequest{Propose: &forwardPropose{Group: g, Cmd: cmd.Encode()}})
	switch {
	case err != nil:
		return kvstore.Result{}, &NotLeaderError{Group: g} // unreachable leader: retry, the view will move on
	case rep.NotLeader:
		return kvstore.Result{}, &NotLeaderError{Group: g}
	case rep.Error != "":
		return kvstore.Result{}, fmt.Errorf("group %d leader %s: %s", g, id, rep.Error)
	case rep.Result == nil:
		return kvstore.Result{}, fmt.Errorf("group %d leader %s sent no result", g, id)
	}
	return *rep.Result, nil
}

// leaderID is group g's leader as this node knows it: from its own replica
// of the group, else from the cluster view.
func (n *Node) leaderID(g int) string {
	if grp := n.groups[g]; grp != nil {
		if _, id := grp.rg.raft.LeaderWithID(); id != "" {
			return string(id)
		}
	}
	st, _ := n.metaFSM.State()
	return st.Topology.Leaders[g]
}

// serveForward proposes a forwarded command if this node leads its group.
func (n *Node) serveForward(f *forwardPropose, rep *controlReply) {
	cmd, err := kvstore.DecodeCommand(f.Cmd)
	if err != nil {
		rep.Error = "bad forwarded command: " + err.Error()
		return
	}
	if f.Group < 0 || f.Group >= n.cfg.Layout.Groups {
		rep.Error = fmt.Sprintf("no replication group %d", f.Group)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultProposeTimeout)
	defer cancel()
	res, err := n.Propose(ctx, f.Group, cmd)
	var nl *NotLeaderError
	switch {
	case errors.As(err, &nl):
		rep.NotLeader = true
	case err != nil:
		rep.Error = err.Error()
	default:
		rep.Result = &res
	}
}
