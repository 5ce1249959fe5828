package fakebackend

import (
	"context"
	"fmt"
	"math"
	"sort"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
)

// ListVectorIndexes returns the indexes, sorted by namespace.
func (b *Backend) ListVectorIndexes(ctx context.Context) ([]client.VectorIndexInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "ListVectorIndexes"); err != nil {
		return nil, err
	}
	out := make([]client.VectorIndexInfo, 0, len(b.vectors))
	for _, ix := range b.vectors {
		info := ix.info
		info.Count = uint64(len(ix.ids))
		info.Bytes = info.Count * uint64(4*info.Dimensions)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out, nil
}

// VectorCreateIndex creates an index; false when the same one exists.
func (b *Backend) VectorCreateIndex(ctx context.Context, namespace string, dimensions int, distance client.DistanceFunction, indexType client.VectorIndexType, opts *client.CreateVectorIndexOptions) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorCreateIndex"); err != nil {
		return false, err
	}
	if namespace == "" || dimensions <= 0 {
		return false, answer("vector create index", codes.InvalidArgument, fmt.Sprintf("create index %q: a namespace and dimensions > 0 are needed", namespace), nil)
	}
	if ix, ok := b.vectors[namespace]; ok {
		if ix.info.Dimensions != dimensions || ix.info.Distance != distance || ix.info.IndexType != indexType {
			return false, answer("vector create index", codes.AlreadyExists, fmt.Sprintf("vector index %s exists with another definition", namespace), nil)
		}
		return false, nil
	}
	info := client.VectorIndexInfo{Namespace: namespace, Dimensions: dimensions, Distance: distance, IndexType: indexType,
		Shard: b.Route([]byte(namespace)).Shard, ServedBy: "n1", FromLeader: true}
	if opts != nil && indexType == client.IndexHNSW {
		info.M, info.EfConstruction, info.EfSearch = opts.M, opts.EfConstruction, opts.EfSearch
	}
	b.vectors[namespace] = &vindex{info: info, ids: map[string][]float32{}}
	return true, nil
}

// VectorDropIndex drops an index and its vectors; false when there was none.
func (b *Backend) VectorDropIndex(ctx context.Context, namespace string, _ *client.DropVectorIndexOptions) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorDropIndex"); err != nil {
		return false, err
	}
	_, ok := b.vectors[namespace]
	delete(b.vectors, namespace)
	return ok, nil
}

// lookup returns namespace's index or the not-found error of op. The
// caller holds b.mu.
func (b *Backend) lookup(op, namespace string) (*vindex, error) {
	ix, ok := b.vectors[namespace]
	if !ok {
		return nil, answer(op, codes.NotFound, fmt.Sprintf("vector index %s not found", namespace), nil)
	}
	return ix, nil
}

// insert stores one vector. The caller holds b.mu.
func (b *Backend) insert(namespace, id string, v []float32) (client.Version, error) {
	ix, err := b.lookup("vector insert", namespace)
	if err != nil {
		return client.Version{}, err
	}
	if len(v) != ix.info.Dimensions {
		return client.Version{}, answer("vector insert", codes.InvalidArgument, fmt.Sprintf("vector has %d dimensions, but vector index %s has %d", len(v), namespace, ix.info.Dimensions), nil)
	}
	ix.ids[id] = append([]float32(nil), v...)
	return b.nextVersion(), nil
}

// VectorInsert upserts one vector.
func (b *Backend) VectorInsert(ctx context.Context, namespace, id string, vector []float32, _ *client.VectorInsertOptions) (client.Version, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorInsert"); err != nil {
		return client.Version{}, err
	}
	return b.insert(namespace, id, vector)
}

// VectorInsertMany upserts items in order, stopping at the first failure.
func (b *Backend) VectorInsertMany(ctx context.Context, namespace string, items []client.VectorItem, _ int) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorInsertMany"); err != nil {
		return 0, err
	}
	for i, it := range items {
		if _, err := b.insert(namespace, it.ID, it.Vector); err != nil {
			return i, fmt.Errorf("item %d: %w", i+1, err)
		}
	}
	return len(items), nil
}

// VectorDelete removes a vector; false when it was not there.
func (b *Backend) VectorDelete(ctx context.Context, namespace, id string, _ *client.VectorDeleteOptions) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorDelete"); err != nil {
		return false, err
	}
	ix, err := b.lookup("vector delete", namespace)
	if err != nil {
		return false, err
	}
	_, ok := ix.ids[id]
	delete(ix.ids, id)
	return ok, nil
}

// VectorGetWithOptions returns a stored vector, nil when the id is absent.
func (b *Backend) VectorGetWithOptions(ctx context.Context, namespace, id string, _ *client.VectorGetOptions) ([]float32, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorGetWithOptions"); err != nil {
		return nil, err
	}
	ix, err := b.lookup("vector get", namespace)
	if err != nil {
		return nil, err
	}
	v, ok := ix.ids[id]
	if !ok {
		return nil, nil // as the client answers an absent id (only a missing index is an error)
	}
	return append([]float32(nil), v...), nil
}

// VectorSearch scans the index exactly (every search is exact here, and
// says so when asked).
func (b *Backend) VectorSearch(ctx context.Context, namespace string, query []float32, k int, opts *client.VectorSearchOptions) (*client.VectorSearchResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "VectorSearch"); err != nil {
		return nil, err
	}
	ix, err := b.lookup("vector search", namespace)
	if err != nil {
		return nil, err
	}
	if len(query) != ix.info.Dimensions {
		return nil, answer("vector search", codes.InvalidArgument, fmt.Sprintf("query has %d dimensions, but vector index %s has %d", len(query), namespace, ix.info.Dimensions), nil)
	}
	if opts == nil {
		opts = &client.VectorSearchOptions{}
	}
	res := &client.VectorSearchResult{SearchTimeUs: 42, Exact: opts.Exact}
	for id, v := range ix.ids {
		m := client.VectorMatch{ID: id, Distance: distance(ix.info.Distance, query, v)}
		if opts.IncludeVectors {
			m.Vector = append([]float32(nil), v...)
		}
		res.Matches = append(res.Matches, m)
	}
	sort.Slice(res.Matches, func(i, j int) bool {
		a, c := res.Matches[i], res.Matches[j]
		return a.Distance < c.Distance || (a.Distance == c.Distance && a.ID < c.ID)
	})
	if k > 0 && len(res.Matches) > k {
		res.Matches = res.Matches[:k]
	}
	return res, nil
}

// distance follows the server: smaller is closer for every function.
func distance(f client.DistanceFunction, a, b []float32) float32 {
	var dot, na, nb, sq float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
		sq += (x - y) * (x - y)
	}
	switch f {
	case client.DistanceCosine:
		if na == 0 || nb == 0 {
			return 1
		}
		return float32(1 - dot/math.Sqrt(na*nb))
	case client.DistanceInnerProduct:
		return float32(-dot)
	}
	return float32(math.Sqrt(sq))
}
