package service

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

type kvService struct {
	norikvpb.UnimplementedKvServer
	s *Server

	metaOnce sync.Once
	metas    *shardMeta // replies' meta per shard (shardmeta.go), made on first use
}

func (k *kvService) route(key []byte) (shard uint32, group int) {
	l := k.s.n.Layout()
	shard = topology.ShardOf(key, l.TotalShards)
	return shard, l.GroupOfShard(shard)
}

func pbVersion(v kvstore.Version) *norikvpb.Version {
	return &norikvpb.Version{Term: v.Term, Index: v.Index}
}

func ifMatch(v *norikvpb.Version) *kvstore.Version {
	if v == nil {
		return nil
	}
	return &kvstore.Version{Term: v.Term, Index: v.Index}
}

// meta is a reply's meta: shared by the replies for shard (not to be
// modified) unless expiresAtMs is set.
func (k *kvService) meta(shard uint32, expiresAtMs int64) map[string]string {
	k.metaOnce.Do(func() { k.metas = newShardMeta(k.s.n.Layout().TotalShards, k.s.n.ID()) })
	if expiresAtMs != 0 {
		return k.metas.withExpiry(shard, expiresAtMs)
	}
	return k.metas.get(shard)
}

// Put validates first (on any node), then proposes through the shard's leader.
func (k *kvService) Put(ctx context.Context, req *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
	if err := checkKey(req.Key); err != nil {
		return nil, err
	}
	if err := checkValue(req.Value); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	if err := checkTTL(req.TtlMs); err != nil {
		return nil, err
	}
	shard, group := k.route(req.Key)
	now := time.Now().UnixMilli()
	cmd := &kvstore.Command{
		Type: kvstore.CmdPut, NowMs: now, Key: req.Key, Value: req.Value,
		IdemKey: req.IdempotencyKey, IfMatch: ifMatch(req.IfMatch),
	}
	if req.TtlMs > 0 {
		cmd.ExpiresAtMs = now + int64(req.TtlMs)
	}
	var res kvstore.Result
	err := k.withLeader(ctx, group, true, func() (err error) {
		res, err = k.s.proposeWrite(ctx, group, cmd)
		return err
	})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if err := resultStatus(res); err != nil {
		return nil, err
	}
	// ExpiresAtMs comes from the record on a replay: the original reply.
	return newPutResponse(res.Version, k.meta(shard, res.ExpiresAtMs)), nil
}

// putReply holds a Put reply and its version in one allocation.
type putReply struct {
	resp norikvpb.PutResponse
	ver  norikvpb.Version
}

func newPutResponse(v kvstore.Version, meta map[string]string) *norikvpb.PutResponse {
	r := &putReply{ver: norikvpb.Version{Term: v.Term, Index: v.Index}}
	r.resp.Version = &r.ver
	r.resp.Meta = meta
	return &r.resp
}

// Get reads at the requested consistency level.
func (k *kvService) Get(ctx context.Context, req *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
	if err := checkKey(req.Key); err != nil {
		return nil, err
	}
	level, err := parseConsistency(req.Consistency)
	if err != nil {
		return nil, err
	}
	shard, group := k.route(req.Key)
	var it *kvstore.Item
	var ok bool
	err = k.withLeader(ctx, group, false, func() error {
		// Read checks a lease after the read itself (node/lease.go).
		return k.s.n.Read(ctx, group, level, func(fsm *kvstore.FSM) error {
			it, ok = fsm.Get(req.Key, time.Now().UnixMilli())
			return nil
		})
	})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if !ok {
		return nil, status.Error(codes.NotFound, "key not found")
	}
	return &norikvpb.GetResponse{Value: it.Value, Version: pbVersion(it.Version), Meta: k.meta(shard, it.ExpiresAtMs)}, nil
}

// Delete removes a key; tombstoned tells whether it existed.
func (k *kvService) Delete(ctx context.Context, req *norikvpb.DeleteRequest) (*norikvpb.DeleteResponse, error) {
	if err := checkKey(req.Key); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	_, group := k.route(req.Key)
	cmd := &kvstore.Command{Type: kvstore.CmdDelete, Key: req.Key, IdemKey: req.IdempotencyKey, IfMatch: ifMatch(req.IfMatch)}
	var res kvstore.Result
	err := k.withLeader(ctx, group, true, func() (err error) {
		res, err = k.s.proposeWrite(ctx, group, cmd)
		return err
	})
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if err := resultStatus(res); err != nil {
		return nil, err
	}
	return &norikvpb.DeleteResponse{Tombstoned: res.Tombstoned, Version: pbVersion(res.Version)}, nil
}

// withLeader runs op and, on NOT_LEADER, waits for a leader while none is
// known (see awaitLeader). op runs a second time, here, only when this node
// became the leader and that is safe: always for a read, and for a write
// only if this node was not the leader when it first tried (so the first
// attempt proposed nothing). Otherwise the answer is NOT_LEADER with the
// hint, this node's own address included.
func (k *kvService) withLeader(ctx context.Context, g int, write bool, op func() error) error {
	wasLeader := k.s.n.IsLeader(g)
	err := op()
	if err == nil {
		return nil
	}
	retry, err := k.s.awaitLeader(ctx, g, err)
	switch {
	case retry && (!write || !wasLeader):
		return op()
	case retry:
		return &node.NotLeaderError{Group: g, Hint: k.s.n.Self().Addr}
	}
	return err
}
