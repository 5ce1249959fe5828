package service

import (
	"context"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// claimTimeout bounds claiming an idempotency key in its owning group.
const claimTimeout = 5 * time.Second

// proposeWrite replicates a write through group g. An idempotency key is
// owned by the group of its own shard (the key's bytes hashed like a key):
// when that is another group, the write first claims the key there, so
// reusing it for a different operation or key anywhere in the cluster is
// refused (PROTOCOL.md §4), not only within one group. The claim goes
// through the owning group's log, forwarded to its leader if need be.
// Each such claim is counted (Options.IdemClaimed: the metric
// norikv_idem_claims_total); our client draws keys owned by the write's
// group once it knows the group count (GroupsHeader), so it makes none.
func (s *Server) proposeWrite(ctx context.Context, g int, cmd *kvstore.Command) (kvstore.Result, error) {
	if cmd.IdemKey != "" {
		// Fail fast on a follower: the claim is only worth making on the
		// node that will propose the write.
		if !s.n.IsLeader(g) {
			return s.n.Propose(ctx, g, cmd)
		}
		l := s.n.Layout()
		owner := l.GroupOfShard(topology.ShardOf([]byte(cmd.IdemKey), l.TotalShards))
		if owner != g {
			if s.claimed != nil {
				s.claimed()
			}
			cctx, cancel := context.WithTimeout(ctx, claimTimeout)
			res, err := s.n.ProposeAnywhere(cctx, owner, kvstore.ClaimCommand(cmd))
			cancel()
			if err != nil || res.Outcome != kvstore.OK {
				return res, err
			}
		}
	}
	return s.n.Propose(ctx, g, cmd)
}
