package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

func (c *Client) checkShard(op string, shard int) error {
	if total := c.sh().total; shard < 0 || shard >= total {
		return invalidArg(op, "shard %d out of range: shards are 0..%d", shard, total-1)
	}
	return nil
}

// TransferShard moves leadership of shard to the replica targetNodeID and
// returns the shard's new ShardInfo. When leadership is held by a group of
// shards, every shard of the group moves (the next cluster view shows them).
// Unknown shard fails with ErrKeyNotFound; a target that is not a replica with
// an *Error of code InvalidArgument; a server without Admin with ErrUnsupported.
func (c *Client) TransferShard(ctx context.Context, shard int, targetNodeID string) (*ShardInfo, error) {
	const op = "transfer shard"
	if err := c.checkShard(op, shard); err != nil {
		return nil, err
	}
	if targetNodeID == "" {
		return nil, invalidArg(op, "target node id is empty: give the id of one of the shard's replicas")
	}
	req := &norikvpb.ShardInfo{Id: uint32(shard), Replicas: []*norikvpb.ShardReplica{{NodeId: targetNodeID, Leader: true}}}
	var resp *norikvpb.ShardInfo
	err := c.invoke(ctx, &call{op: opTransferShard, shard: shard}, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Admin.TransferShard(ctx, req, o...)
		return err
	})
	if err != nil {
		return nil, err
	}
	info := shardInfoFromPB(resp)
	if leader := info.Leader(); leader != "" {
		if id, addr := c.resolveHint(leader); addr != "" {
			c.cacheLeader(shard, id, addr)
		}
	}
	return &info, nil
}

// SnapshotShard makes the shard's leader take a snapshot of the shard's
// replicated state now, and returns the shard's ShardInfo.
func (c *Client) SnapshotShard(ctx context.Context, shard int) (*ShardInfo, error) {
	const op = "snapshot shard"
	if err := c.checkShard(op, shard); err != nil {
		return nil, err
	}
	req := &norikvpb.ShardInfo{Id: uint32(shard)}
	var resp *norikvpb.ShardInfo
	err := c.invoke(ctx, &call{op: opSnapshotShard, shard: shard}, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Admin.SnapshotShard(ctx, req, o...)
		return err
	})
	if err != nil {
		return nil, err
	}
	info := shardInfoFromPB(resp)
	return &info, nil
}
