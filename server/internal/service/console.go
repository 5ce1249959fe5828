package service

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

type consoleService struct {
	consolepb.UnimplementedConsoleServer
	s *Server
}

// scanGroups maps the requested shards to groups. No shards means every
// group this node may serve at that level (leads, or holds for stale reads).
func (c *consoleService) scanGroups(req *consolepb.ScanRequest, level node.Consistency) (map[int]map[uint32]bool, error) {
	l := c.s.n.Layout()
	groups := map[int]map[uint32]bool{}
	if len(req.Shards) == 0 {
		for _, grp := range c.s.n.Groups() {
			if level == node.Stale || c.s.n.IsLeader(grp.ID) {
				groups[grp.ID] = nil // nil filter: all shards of the group
			}
		}
		return groups, nil
	}
	for _, s := range req.Shards {
		if err := checkShard(s, l.TotalShards); err != nil {
			return nil, err
		}
		g := l.GroupOfShard(s)
		if groups[g] == nil {
			groups[g] = map[uint32]bool{}
		}
		groups[g][s] = true
	}
	return groups, nil
}

// Scan lists live keys of some shards in key order, with a cursor.
func (c *consoleService) Scan(ctx context.Context, req *consolepb.ScanRequest) (*consolepb.ScanResponse, error) {
	level, err := parseConsistency(req.Consistency)
	if err != nil {
		return nil, err
	}
	limit := int(req.Limit)
	switch {
	case limit == 0:
		limit = DefaultScanSize
	case limit > MaxScanLimit:
		return nil, invalid("limit %d is over the scan limit of %d entries", limit, MaxScanLimit)
	}
	if len(req.Prefix) > MaxKeyBytes || len(req.StartAfter) > MaxKeyBytes {
		return nil, invalid("prefix and start_after must be at most the key limit of %d bytes", MaxKeyBytes)
	}
	preview := int(req.ValuePreviewBytes)
	if preview == 0 {
		preview = DefaultPreview
	}
	preview = min(preview, MaxValueBytes)
	groups, err := c.scanGroups(req, level)
	if err != nil {
		return nil, err
	}
	opts := kvstore.ScanOptions{Prefix: req.Prefix, Limit: limit, NowMs: time.Now().UnixMilli()}
	if len(req.StartAfter) > 0 {
		opts.StartAfter = req.StartAfter
	}
	var items []*kvstore.Item
	more := false
	for g, shards := range groups {
		o := opts
		if shards != nil {
			o.Shard = func(s uint32) bool { return shards[s] }
		}
		var got []*kvstore.Item
		var m bool
		// Read checks a lease after the scan itself (node/lease.go).
		err := c.s.n.Read(ctx, g, level, func(fsm *kvstore.FSM) error {
			got, m = fsm.Scan(o)
			return nil
		})
		if err != nil {
			return nil, toStatus(ctx, err)
		}
		items = append(items, got...)
		more = more || m
	}
	slices.SortFunc(items, func(a, b *kvstore.Item) int { return bytes.Compare(a.Key, b.Key) })
	if len(items) > limit {
		items, more = items[:limit], true
	}
	// Bound the reply's size: a page ends early (with a cursor) once its
	// values and keys reach MaxScanReplyBytes.
	budget := MaxScanReplyBytes
	for i, it := range items {
		cost := len(it.Key) + 64
		if req.IncludeValues {
			cost += min(len(it.Value), preview)
		}
		if budget -= cost; budget < 0 && i > 0 {
			items, more = items[:i], true
			break
		}
	}
	resp := &consolepb.ScanResponse{Done: !more}
	for _, it := range items {
		e := &consolepb.KeyEntry{
			Key: it.Key, Shard: it.Shard, Size: uint64(len(it.Value)),
			Version: &norikvpb.Version{Term: it.Version.Term, Index: it.Version.Index},
		}
		if it.ExpiresAtMs > 0 {
			e.ExpiresAtMs = uint64(it.ExpiresAtMs)
		}
		if req.IncludeValues {
			e.Value = it.Value[:min(len(it.Value), preview)]
			e.ValueTruncated = len(it.Value) > preview
		}
		resp.Entries = append(resp.Entries, e)
	}
	if more && len(items) > 0 {
		resp.NextCursor = items[len(items)-1].Key
	}
	return resp, nil
}

// ListVectorIndexes lists the vector indexes of the groups this node may
// serve at the requested level: every local replica for stale reads, the
// groups it leads otherwise.
func (c *consoleService) ListVectorIndexes(ctx context.Context, req *consolepb.ListVectorIndexesRequest) (*consolepb.ListVectorIndexesResponse, error) {
	level, err := parseConsistency(req.Consistency)
	if err != nil {
		return nil, err
	}
	n := c.s.n
	l := n.Layout()
	resp := &consolepb.ListVectorIndexesResponse{}
	for _, grp := range n.Groups() {
		if level != node.Stale && !n.IsLeader(grp.ID) {
			continue
		}
		if _, err := n.ReadGroup(ctx, grp.ID, level); err != nil {
			return nil, toStatus(ctx, err)
		}
		leader := n.IsLeader(grp.ID)
		for _, in := range grp.Vectors.List() {
			cfg := in.Config
			info := &consolepb.VectorIndexInfo{
				Namespace: in.Namespace, Dimensions: uint32(cfg.Dims),
				Distance: pbDistance(cfg.Distance), IndexType: pbKind(cfg.Kind),
				Count: uint64(in.Count), Bytes: uint64(in.Bytes),
				Shard:    topology.ShardOf([]byte(in.Namespace), l.TotalShards),
				ServedBy: n.ID(), FromLeader: leader,
			}
			if cfg.Kind == vectorindex.HNSW {
				info.M, info.EfConstruction, info.EfSearch = uint32(cfg.M), uint32(cfg.EfConstruction), uint32(cfg.EfSearch)
			}
			resp.Indexes = append(resp.Indexes, info)
		}
	}
	slices.SortFunc(resp.Indexes, func(a, b *consolepb.VectorIndexInfo) int { return strings.Compare(a.Namespace, b.Namespace) })
	return resp, nil
}

// NodeStatus reports this node's groups and request counters.
func (c *consoleService) NodeStatus(ctx context.Context, _ *consolepb.NodeStatusRequest) (*consolepb.NodeStatusResponse, error) {
	n := c.s.n
	l := n.Layout()
	st, _ := n.Meta()
	resp := &consolepb.NodeStatusResponse{
		NodeId: n.ID(), Addr: n.Self().Addr, RaftAddr: n.Self().RaftAddr,
		UptimeMs: uint64(n.Uptime().Milliseconds()), Epoch: st.Epoch,
		TotalShards: uint32(l.TotalShards), TotalGroups: uint32(l.Groups), Version: n.Version(),
		ClusterId: n.ClusterID(), MetaVoteHeld: n.MetaVoteHeld(), StorageError: n.StorageError(), MetaCutOff: n.MetaCutOff(),
	}
	resp.Requests, resp.Errors = c.s.counters.snapshot()
	for _, g := range n.Status() {
		gs := &consolepb.GroupStatus{
			GroupId: uint32(g.ID), State: g.State, Term: g.Term, CommitIndex: g.CommitIndex,
			AppliedIndex: g.AppliedIdx, LastLogIndex: g.LastLogIdx, LeaderId: g.LeaderID,
			LastContactMs: g.LastContact.Milliseconds(), Keys: uint64(g.Keys), Peers: g.Peers,
			VectorIndexes: uint32(g.VectorIndexes), Vectors: uint64(g.Vectors), VectorBytes: uint64(g.VectorBytes),
			VoteHeld: g.VoteHeld,
		}
		first, end := l.ShardsOfGroup(g.ID)
		for s := first; s < end; s++ {
			gs.Shards = append(gs.Shards, s)
		}
		resp.Groups = append(resp.Groups, gs)
	}
	return resp, nil
}
