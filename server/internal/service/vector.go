package service

import (
	"context"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// vectorService serves norikv.v1.Vector. A namespace is routed like a key;
// its shard's group holds the whole index. Writes go through the group's
// log; reads honour the consistency levels like Kv.Get. A node that does
// not lead the group forwards the call to the leader (one hop), since
// NoriKV's own SDK ignores leader hints for vector calls.
type vectorService struct {
	norikvpb.UnimplementedVectorServer
	s *Server
}

func (vs *vectorService) group(ns string) (shard uint32, group int) {
	l := vs.s.n.Layout()
	shard = topology.ShardOf([]byte(ns), l.TotalShards)
	return shard, l.GroupOfShard(shard)
}

// localIndex returns this node's replica of namespace's index, if it holds
// one, so requests can be checked against its dimensions on any node
// before the leadership check.
func (vs *vectorService) localIndex(ns string) (*vectorindex.Index, bool) {
	_, g := vs.group(ns)
	grp := vs.s.n.Group(g)
	if grp == nil {
		return nil, false
	}
	return grp.Vectors.Index(ns)
}

// propose replicates a vector write through the namespace's group, or
// hands the call to the group's leader (see forwardTarget).
func (vs *vectorService) propose(ctx context.Context, ns string, cmd *kvstore.Command) (kvstore.Result, error) {
	_, g := vs.group(ns)
	if err := vs.s.forwardTarget(ctx, g, node.Lease); err != nil {
		return kvstore.Result{}, err
	}
	res, err := vs.s.proposeWrite(ctx, g, cmd)
	if err != nil {
		return res, toStatus(ctx, err)
	}
	return res, resultStatus(res)
}

// CreateIndex creates namespace's index; created=false when an identical
// one exists. HNSW parameters may come in the request metadata.
func (vs *vectorService) CreateIndex(ctx context.Context, req *norikvpb.CreateVectorIndexRequest) (*norikvpb.CreateVectorIndexResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkDimensions(req.Dimensions); err != nil {
		return nil, err
	}
	dist, err := distanceOf(req.Distance)
	if err != nil {
		return nil, err
	}
	kind, err := kindOf(req.IndexType)
	if err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	def := vectorstore.Def{Dims: int(req.Dimensions), Distance: dist, Kind: kind}
	if def.M, err = metaInt(ctx, MetaHNSWM, 2, maxHNSWM); err != nil {
		return nil, err
	}
	if def.EfConstruction, err = metaInt(ctx, MetaHNSWEfConstruction, 1, maxHNSWEf); err != nil {
		return nil, err
	}
	if def.EfSearch, err = metaInt(ctx, MetaHNSWEfSearch, 1, maxHNSWEf); err != nil {
		return nil, err
	}
	res, err := vs.propose(ctx, req.Namespace, vectorstore.CreateCommand(req.Namespace, def, rand.Uint64(), req.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	shard, _ := vs.group(req.Namespace)
	meta := indexMeta(shard, vs.s.n.ID())
	if ix, ok := vs.localIndex(req.Namespace); ok {
		cfg := ix.Config()
		meta["dimensions"] = itoa(cfg.Dims)
		meta["distance"] = cfg.Distance.String()
		meta["index_type"] = cfg.Kind.String()
		if cfg.Kind == vectorindex.HNSW {
			meta["m"], meta["ef_construction"], meta["ef_search"] = itoa(cfg.M), itoa(cfg.EfConstruction), itoa(cfg.EfSearch)
		}
	}
	return &norikvpb.CreateVectorIndexResponse{Created: res.Flag, Meta: meta}, nil
}

// DropIndex drops namespace's index and says whether it existed.
func (vs *vectorService) DropIndex(ctx context.Context, req *norikvpb.DropVectorIndexRequest) (*norikvpb.DropVectorIndexResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	res, err := vs.propose(ctx, req.Namespace, vectorstore.DropCommand(req.Namespace, req.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return &norikvpb.DropVectorIndexResponse{Dropped: res.Flag}, nil
}

// Insert upserts one vector.
func (vs *vectorService) Insert(ctx context.Context, req *norikvpb.VectorInsertRequest) (*norikvpb.VectorInsertResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkVectorID(req.Id); err != nil {
		return nil, err
	}
	if err := checkFloats("vector", req.Vector); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	if ix, ok := vs.localIndex(req.Namespace); ok {
		if err := checkDims("vector", req.Namespace, len(req.Vector), ix.Config().Dims); err != nil {
			return nil, err
		}
	}
	res, err := vs.propose(ctx, req.Namespace, vectorstore.InsertCommand(req.Namespace, req.Id, req.Vector, req.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return &norikvpb.VectorInsertResponse{Inserted: res.Flag, Version: pbVersion(res.Version)}, nil
}

// Delete deletes one vector and says whether it existed.
func (vs *vectorService) Delete(ctx context.Context, req *norikvpb.VectorDeleteRequest) (*norikvpb.VectorDeleteResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkVectorID(req.Id); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	res, err := vs.propose(ctx, req.Namespace, vectorstore.DeleteCommand(req.Namespace, req.Id, req.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return &norikvpb.VectorDeleteResponse{Deleted: res.Flag}, nil
}

// readIndex returns namespace's index once this node may read it at
// level, or hands the call to the group's leader (see forwardTarget).
func (vs *vectorService) readIndex(ctx context.Context, ns string, level node.Consistency) (*vectorindex.Index, error) {
	_, g := vs.group(ns)
	if err := vs.s.forwardTarget(ctx, g, level); err != nil {
		return nil, err
	}
	if _, err := vs.s.n.ReadGroup(ctx, g, level); err != nil {
		return nil, toStatus(ctx, err)
	}
	ix, ok := vs.s.n.Group(g).Vectors.Index(ns)
	if !ok {
		return nil, status.Error(codes.NotFound, vectorstore.NotFoundMessage(ns))
	}
	return ix, nil
}

// Search returns the k nearest vectors, by ascending distance, ties by id.
func (vs *vectorService) Search(ctx context.Context, req *norikvpb.VectorSearchRequest) (*norikvpb.VectorSearchResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkK(req.K); err != nil {
		return nil, err
	}
	if err := checkFloats("query", req.Query); err != nil {
		return nil, err
	}
	level, err := parseConsistency(req.Consistency)
	if err != nil {
		return nil, err
	}
	ef, err := metaInt(ctx, MetaHNSWEf, 1, maxHNSWEf)
	if err != nil {
		return nil, err
	}
	exact, err := metaBool(ctx, MetaExact)
	if err != nil {
		return nil, err
	}
	if ix, ok := vs.localIndex(req.Namespace); ok {
		if err := checkDims("query", req.Namespace, len(req.Query), ix.Config().Dims); err != nil {
			return nil, err
		}
	}
	ix, err := vs.readIndex(ctx, req.Namespace, level)
	if err != nil {
		return nil, err
	}
	if err := checkDims("query", req.Namespace, len(req.Query), ix.Config().Dims); err != nil {
		return nil, err
	}
	start := time.Now()
	var matches []vectorindex.Match
	if exact {
		matches, err = ix.SearchExact(req.Query, int(req.K))
		_ = grpc.SetHeader(ctx, metadata.Pairs(MetaExact, "true"))
	} else {
		matches, err = ix.Search(req.Query, int(req.K), ef)
	}
	elapsed := time.Since(start)
	if err != nil {
		return nil, invalid("%v", err)
	}
	resp := &norikvpb.VectorSearchResponse{
		Matches:      make([]*norikvpb.VectorMatch, 0, len(matches)),
		SearchTimeUs: uint64(elapsed.Microseconds()),
	}
	for _, m := range matches {
		pm := &norikvpb.VectorMatch{Id: m.ID, Distance: m.Distance}
		if req.IncludeVectors {
			pm.Vector, _ = ix.Get(m.ID)
		}
		resp.Matches = append(resp.Matches, pm)
	}
	return resp, nil
}

// Get returns one stored vector; found=false when the id is absent.
func (vs *vectorService) Get(ctx context.Context, req *norikvpb.VectorGetRequest) (*norikvpb.VectorGetResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkVectorID(req.Id); err != nil {
		return nil, err
	}
	level, err := parseConsistency(req.Consistency)
	if err != nil {
		return nil, err
	}
	ix, err := vs.readIndex(ctx, req.Namespace, level)
	if err != nil {
		return nil, err
	}
	vec, ok := ix.Get(req.Id)
	return &norikvpb.VectorGetResponse{Vector: vec, Found: ok}, nil
}
