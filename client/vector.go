package client

import (
	"context"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/client/internal/hashing"
	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// DistanceFunction is a vector index's distance metric.
type DistanceFunction int

// Distance functions (values match norikv.v1.DistanceFunction).
const (
	DistanceUnspecified  DistanceFunction = 0
	DistanceEuclidean    DistanceFunction = 1
	DistanceCosine       DistanceFunction = 2
	DistanceInnerProduct DistanceFunction = 3
)

// String returns the distance's name.
func (d DistanceFunction) String() string {
	switch d {
	case DistanceEuclidean:
		return "euclidean"
	case DistanceCosine:
		return "cosine"
	case DistanceInnerProduct:
		return "inner_product"
	}
	return "unspecified"
}

// VectorIndexType is a vector index's structure.
type VectorIndexType int

// Index types (values match norikv.v1.VectorIndexType). Unspecified means HNSW.
const (
	IndexUnspecified VectorIndexType = 0
	IndexBruteForce  VectorIndexType = 1
	IndexHNSW        VectorIndexType = 2
)

// String returns the index type's name.
func (t VectorIndexType) String() string {
	switch t {
	case IndexBruteForce:
		return "brute_force"
	case IndexHNSW:
		return "hnsw"
	}
	return "unspecified"
}

// HNSW tuning metadata keys sent with vector requests (NoriKV Console
// extension; servers that do not know them ignore them).
const (
	MetaHNSWM              = "x-norikv-hnsw-m"
	MetaHNSWEfConstruction = "x-norikv-hnsw-ef-construction"
	MetaHNSWEfSearch       = "x-norikv-hnsw-ef-search"
	MetaHNSWEf             = "x-norikv-hnsw-ef"
	// MetaExact asks for an exact scan; our server echoes it in the reply
	// header when it did one.
	MetaExact = "x-norikv-exact"
)

// CreateVectorIndexOptions tunes VectorCreateIndex. Zero HNSW fields leave the
// server's defaults.
type CreateVectorIndexOptions struct {
	IdempotencyKey string
	M              int // HNSW graph degree
	EfConstruction int // HNSW build-time candidate list size
	EfSearch       int // HNSW default search-time candidate list size
}

// DropVectorIndexOptions tunes VectorDropIndex.
type DropVectorIndexOptions struct{ IdempotencyKey string }

// VectorInsertOptions tunes VectorInsert.
type VectorInsertOptions struct{ IdempotencyKey string }

// VectorDeleteOptions tunes VectorDelete.
type VectorDeleteOptions struct{ IdempotencyKey string }

// VectorSearchOptions tunes VectorSearch.
type VectorSearchOptions struct {
	IncludeVectors bool
	Consistency    ConsistencyLevel
	Ef             int // HNSW search candidate list size for this query; 0 = index default
	// Exact asks the server to scan every vector instead of walking the
	// HNSW graph: the reference answer for measuring recall. Servers
	// without the NoriKV Console extension ignore it; the result's Exact
	// says whether the scan really was exact.
	Exact bool
}

// VectorMatch is one search hit.
type VectorMatch struct {
	ID       string
	Distance float32
	Vector   []float32 // only with IncludeVectors
}

// VectorSearchResult is the answer of VectorSearch, sorted by ascending distance.
type VectorSearchResult struct {
	Matches      []VectorMatch
	SearchTimeUs uint64
	// Exact is true when the server confirmed an exact scan (options.Exact,
	// or a brute-force index asked with Exact).
	Exact bool
}

func nsShard(ns string, total int) int { return hashing.Shard([]byte(ns), total) }

func withHNSW(ctx context.Context, kv ...string) context.Context {
	var pairs []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "0" {
			pairs = append(pairs, kv[i], kv[i+1])
		}
	}
	if len(pairs) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, pairs...)
}

// VectorCreateIndex creates a vector index on namespace and reports whether
// it was created (false when an identical index already exists). A different
// existing definition fails with ErrAlreadyExists.
func (c *Client) VectorCreateIndex(ctx context.Context, namespace string, dimensions int, distance DistanceFunction, indexType VectorIndexType, opts *CreateVectorIndexOptions) (bool, error) {
	const op = "vector create index"
	if err := checkNamespace(op, namespace); err != nil {
		return false, err
	}
	if err := checkDims(op, "the index", dimensions); err != nil {
		return false, err
	}
	if opts == nil {
		opts = &CreateVectorIndexOptions{}
	}
	if opts.M < 0 || opts.EfConstruction < 0 || opts.EfSearch < 0 {
		return false, invalidArg(op, "HNSW parameters must not be negative (M=%d EfConstruction=%d EfSearch=%d)", opts.M, opts.EfConstruction, opts.EfSearch)
	}
	req := &norikvpb.CreateVectorIndexRequest{
		Namespace:      namespace,
		Dimensions:     uint32(dimensions),
		Distance:       norikvpb.DistanceFunction(distance),
		IndexType:      norikvpb.VectorIndexType(indexType),
		IdempotencyKey: opts.IdempotencyKey,
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = c.nextIdempotencyKey(nsShard(namespace, c.sh().total))
	}
	ctx = withHNSW(ctx,
		MetaHNSWM, strconv.Itoa(opts.M),
		MetaHNSWEfConstruction, strconv.Itoa(opts.EfConstruction),
		MetaHNSWEfSearch, strconv.Itoa(opts.EfSearch))
	var resp *norikvpb.CreateVectorIndexResponse
	cl := call{op: opVectorCreateIndex, shard: nsShard(namespace, c.sh().total)}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Vector.CreateIndex(ctx, req, o...)
		return err
	})
	return resp.GetCreated(), err
}

// VectorDropIndex drops namespace's index and reports whether it existed.
func (c *Client) VectorDropIndex(ctx context.Context, namespace string, opts *DropVectorIndexOptions) (bool, error) {
	const op = "vector drop index"
	if err := checkNamespace(op, namespace); err != nil {
		return false, err
	}
	req := &norikvpb.DropVectorIndexRequest{Namespace: namespace}
	if opts != nil {
		req.IdempotencyKey = opts.IdempotencyKey
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = c.nextIdempotencyKey(nsShard(namespace, c.sh().total))
	}
	var resp *norikvpb.DropVectorIndexResponse
	cl := call{op: opVectorDropIndex, shard: nsShard(namespace, c.sh().total)}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Vector.DropIndex(ctx, req, o...)
		return err
	})
	return resp.GetDropped(), err
}

// VectorInsert upserts vector id in namespace and returns the write's version.
func (c *Client) VectorInsert(ctx context.Context, namespace, id string, vector []float32, opts *VectorInsertOptions) (Version, error) {
	const op = "vector insert"
	if err := checkNamespace(op, namespace); err != nil {
		return Version{}, err
	}
	if err := checkVectorID(op, id); err != nil {
		return Version{}, err
	}
	if len(vector) == 0 {
		return Version{}, invalidArg(op, "vector is empty: give as many values as the index has dimensions")
	}
	if err := checkDims(op, "the vector", len(vector)); err != nil {
		return Version{}, err
	}
	req := &norikvpb.VectorInsertRequest{Namespace: namespace, Id: id, Vector: vector}
	if opts != nil {
		req.IdempotencyKey = opts.IdempotencyKey
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = c.nextIdempotencyKey(nsShard(namespace, c.sh().total))
	}
	var resp *norikvpb.VectorInsertResponse
	cl := call{op: opVectorInsert, shard: nsShard(namespace, c.sh().total)}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Vector.Insert(ctx, req, o...)
		return err
	})
	if err != nil {
		return Version{}, err
	}
	return versionFromPB(resp.GetVersion()), nil
}

// VectorSearch returns the k nearest vectors to query in namespace.
func (c *Client) VectorSearch(ctx context.Context, namespace string, query []float32, k int, opts *VectorSearchOptions) (*VectorSearchResult, error) {
	const op = "vector search"
	if err := checkNamespace(op, namespace); err != nil {
		return nil, err
	}
	if k < 1 || k > MaxSearchK {
		return nil, invalidArg(op, "k=%d out of range: use 1..%d", k, MaxSearchK)
	}
	if err := checkDims(op, "the query", len(query)); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &VectorSearchOptions{}
	}
	if opts.Ef < 0 {
		return nil, invalidArg(op, "Ef=%d must not be negative", opts.Ef)
	}
	req := &norikvpb.VectorSearchRequest{Namespace: namespace, Query: query, K: uint32(k), IncludeVectors: opts.IncludeVectors}
	ctx = withHNSW(ctx, MetaHNSWEf, strconv.Itoa(opts.Ef))
	if opts.Exact {
		ctx = metadata.AppendToOutgoingContext(ctx, MetaExact, "true")
	}
	level := opts.Consistency
	var resp *norikvpb.VectorSearchResponse
	var header metadata.MD
	cl := call{op: opVectorSearch, shard: nsShard(namespace, c.sh().total), consistency: true, anyReplica: level == ConsistencyStaleOK}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		req.Consistency = level.wire(n.AltVocab.Load())
		var err error
		header = nil
		resp, err = n.Vector.Search(ctx, req, append(o, grpc.Header(&header))...)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &VectorSearchResult{SearchTimeUs: resp.GetSearchTimeUs(), Matches: make([]VectorMatch, 0, len(resp.GetMatches()))}
	if v := header.Get(MetaExact); len(v) > 0 && v[0] == "true" {
		out.Exact = true
	}
	for _, m := range resp.GetMatches() {
		out.Matches = append(out.Matches, VectorMatch{ID: m.GetId(), Distance: m.GetDistance(), Vector: m.GetVector()})
	}
	return out, nil
}

// VectorGetOptions tunes VectorGetWithOptions.
type VectorGetOptions struct {
	// Consistency selects who may answer: the leader under its lease (the
	// default), the leader after a quorum check, or any replica (stale_ok).
	Consistency ConsistencyLevel
}

// VectorGet returns vector id of namespace, or nil, nil when it is absent.
// A missing namespace fails with ErrKeyNotFound. It reads at the default
// (lease) consistency; VectorGetWithOptions chooses another level.
func (c *Client) VectorGet(ctx context.Context, namespace, id string) ([]float32, error) {
	return c.VectorGetWithOptions(ctx, namespace, id, nil)
}

// VectorGetWithOptions is VectorGet with options (nil means the defaults).
// With ConsistencyStaleOK any replica of the namespace's shard may answer
// from its own, possibly lagging, state.
func (c *Client) VectorGetWithOptions(ctx context.Context, namespace, id string, opts *VectorGetOptions) ([]float32, error) {
	const op = "vector get"
	if err := checkNamespace(op, namespace); err != nil {
		return nil, err
	}
	if err := checkVectorID(op, id); err != nil {
		return nil, err
	}
	level := ConsistencyLease
	if opts != nil {
		level = opts.Consistency
	}
	req := &norikvpb.VectorGetRequest{Namespace: namespace, Id: id}
	var resp *norikvpb.VectorGetResponse
	cl := call{op: opVectorGet, shard: nsShard(namespace, c.sh().total), consistency: true, anyReplica: level == ConsistencyStaleOK}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		req.Consistency = level.wire(n.AltVocab.Load())
		var err error
		resp, err = n.Vector.Get(ctx, req, o...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !resp.GetFound() {
		return nil, nil
	}
	return resp.GetVector(), nil
}

// VectorDelete deletes vector id of namespace and reports whether it existed.
func (c *Client) VectorDelete(ctx context.Context, namespace, id string, opts *VectorDeleteOptions) (bool, error) {
	const op = "vector delete"
	if err := checkNamespace(op, namespace); err != nil {
		return false, err
	}
	if err := checkVectorID(op, id); err != nil {
		return false, err
	}
	req := &norikvpb.VectorDeleteRequest{Namespace: namespace, Id: id}
	if opts != nil {
		req.IdempotencyKey = opts.IdempotencyKey
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = c.nextIdempotencyKey(nsShard(namespace, c.sh().total))
	}
	var resp *norikvpb.VectorDeleteResponse
	cl := call{op: opVectorDelete, shard: nsShard(namespace, c.sh().total)}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		var err error
		resp, err = n.Vector.Delete(ctx, req, o...)
		return err
	})
	return resp.GetDeleted(), err
}
