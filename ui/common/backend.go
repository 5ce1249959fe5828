package common

import (
	"context"

	"github.com/norikv/norikv-console/client"
)

// Backend is the part of the client the panes call: keys, vectors and
// routes. *client.Client satisfies it; pane tests use an in-memory fake
// (ui/common/fakebackend) so they need no cluster.
type Backend interface {
	Route(key []byte) client.Route

	Get(ctx context.Context, key []byte, opts *client.GetOptions) (*client.GetResult, error)
	Put(ctx context.Context, key, value []byte, opts *client.PutOptions) (client.Version, error)
	Delete(ctx context.Context, key []byte, opts *client.DeleteOptions) (bool, error)
	Scan(ctx context.Context, opts *client.ScanOptions) (*client.ScanResult, error)

	ListVectorIndexes(ctx context.Context) ([]client.VectorIndexInfo, error)
	VectorCreateIndex(ctx context.Context, namespace string, dimensions int, distance client.DistanceFunction, indexType client.VectorIndexType, opts *client.CreateVectorIndexOptions) (bool, error)
	VectorDropIndex(ctx context.Context, namespace string, opts *client.DropVectorIndexOptions) (bool, error)
	VectorInsert(ctx context.Context, namespace, id string, vector []float32, opts *client.VectorInsertOptions) (client.Version, error)
	VectorInsertMany(ctx context.Context, namespace string, items []client.VectorItem, parallelism int) (int, error)
	VectorDelete(ctx context.Context, namespace, id string, opts *client.VectorDeleteOptions) (bool, error)
	VectorGetWithOptions(ctx context.Context, namespace, id string, opts *client.VectorGetOptions) ([]float32, error)
	VectorSearch(ctx context.Context, namespace string, query []float32, k int, opts *client.VectorSearchOptions) (*client.VectorSearchResult, error)
}

var _ Backend = (*client.Client)(nil)

// Backend returns what panes call: Data when set, else Client, else nil
// (never an interface holding a nil *client.Client).
func (c Common) Backend() Backend {
	if c.Data != nil {
		return c.Data
	}
	if c.Client != nil {
		return c.Client
	}
	return nil
}
