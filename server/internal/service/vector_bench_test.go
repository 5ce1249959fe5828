package service_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/datagen"
)

// benchVectors loads n clustered vectors of dims into a fresh namespace
// through the leader, 16 inserts in flight, and returns the namespace and
// the data set.
func benchVectors(b *testing.B, name string, n, dims int, kind norikvpb.VectorIndexType) (string, *datagen.Set) {
	b.Helper()
	ctx := testCtx(b)
	ns := name + "-" + strconv.Itoa(b.N) + "-" + strconv.Itoa(int(kind))
	set := datagen.Generate(datagen.Spec{N: n, Queries: 200, Dims: dims, Seed: 11})
	vc := tc.leaderVec(b, ns)
	if _, err := vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: uint32(dims),
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN, IndexType: kind}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if _, err := vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: strconv.Itoa(i), Vector: set.Row(set.Base, i)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return ns, set
}

// BenchmarkVectorInsertGRPC measures replicated inserts (64 dims, HNSW)
// through the leader, 16 in flight.
func BenchmarkVectorInsertGRPC(b *testing.B) {
	b.ReportAllocs()
	benchVectors(b, "bench-insert", b.N, 64, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW)
}

// BenchmarkVectorSearchGRPC measures k=10 searches over gRPC on 10k x 64
// clustered vectors, HNSW and brute force, one caller at a time.
func BenchmarkVectorSearchGRPC(b *testing.B) {
	for _, kind := range []norikvpb.VectorIndexType{norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE} {
		ns, set := benchVectors(b, "bench-search", 10000, 64, kind) // loaded once, outside the timed runs
		b.Run(kind.String(), func(b *testing.B) {
			vc := tc.leaderVec(b, ns)
			ctx := testCtx(b)
			var serverUs uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := vc.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: set.Row(set.Queries, i%200), K: 10})
				if err != nil || len(res.Matches) != 10 {
					b.Fatalf("search: %v %v", res, err)
				}
				serverUs += res.SearchTimeUs
			}
			b.ReportMetric(float64(serverUs)/float64(b.N), "server-us/op")
		})
	}
}
