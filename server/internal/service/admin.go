package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/node"
)

// MovedShardsKey is the response header listing every shard a TransferShard
// moved ("first-last"), since one group's leader leads all its shards.
const MovedShardsKey = "moved-shards"

const transferTimeout = 10 * time.Second

type adminService struct {
	norikvpb.UnimplementedAdminServer
	s *Server
}

func transferTarget(req *norikvpb.ShardInfo) (string, error) {
	for _, r := range req.Replicas {
		if r.GetLeader() {
			return r.NodeId, nil
		}
	}
	if len(req.Replicas) == 1 {
		return req.Replicas[0].NodeId, nil
	}
	return "", invalid("name the target node as the one replica with leader=true, e.g. replicas: [{node_id: \"n2\", leader: true}]")
}

// TransferShard moves the leadership of the shard's whole group to the target.
func (a *adminService) TransferShard(ctx context.Context, req *norikvpb.ShardInfo) (*norikvpb.ShardInfo, error) {
	l := a.s.n.Layout()
	if err := checkShard(req.Id, l.TotalShards); err != nil {
		return nil, err
	}
	target, err := transferTarget(req)
	if err != nil {
		return nil, err
	}
	g := l.GroupOfShard(req.Id)
	if !l.IsReplica(g, target) {
		var ids []string
		for _, r := range l.Replicas(g) {
			ids = append(ids, r.ID)
		}
		return nil, invalid("node %q is not a replica of shard %d (replicas: %s)", target, req.Id, strings.Join(ids, ", "))
	}
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	if err := a.s.n.TransferGroup(ctx, g, target); err != nil {
		var nl *node.NotLeaderError
		if errors.As(err, &nl) {
			return nil, toStatus(ctx, err)
		}
		if errors.Is(err, node.ErrCannotLead) { // its disk is full: retrying will not help
			return nil, status.Errorf(codes.FailedPrecondition, "transfer shard %d to %s: %v", req.Id, target, err)
		}
		return nil, status.Errorf(codes.Unavailable, "transfer shard %d to %s: %v", req.Id, target, err)
	}
	first, end := l.ShardsOfGroup(g)
	_ = grpc.SetHeader(ctx, metadata.Pairs(MovedShardsKey, fmt.Sprintf("%d-%d", first, end-1)))
	st, _ := a.s.n.Meta()
	return shardInfo(a.s.views.get(st), req.Id), nil
}

// SnapshotShard snapshots this node's replica of the shard's group now.
func (a *adminService) SnapshotShard(ctx context.Context, req *norikvpb.ShardInfo) (*norikvpb.ShardInfo, error) {
	l := a.s.n.Layout()
	if err := checkShard(req.Id, l.TotalShards); err != nil {
		return nil, err
	}
	if err := a.s.n.SnapshotGroup(l.GroupOfShard(req.Id)); err != nil {
		return nil, toStatus(ctx, err)
	}
	st, _ := a.s.n.Meta()
	return shardInfo(a.s.views.get(st), req.Id), nil
}
