package client_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

func testVectorInvalid(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	ctx := tctx(t)
	const ns = "bad-input"
	mustCreate(t, c, ns, 3, client.DistanceEuclidean, client.IndexHNSW)
	mustInsert(t, c, ns, "ok", []float32{1, 2, 3})
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	bad := map[string][]float32{
		"2 values for 3 dimensions": {1, 2},
		"4 values for 3 dimensions": {1, 2, 3, 4},
		"NaN":                       {1, nan, 3},
		"+Inf":                      {inf, 0, 0},
		"-Inf":                      {0, 0, -inf},
	}
	for what, v := range bad {
		_, err := c.VectorInsert(ctx, ns, "bad", v, nil)
		wantCode(t, "insert "+what, err, codes.InvalidArgument, "")
		_, err = c.VectorSearch(ctx, ns, v, 1, nil)
		wantCode(t, "search "+what, err, codes.InvalidArgument, "")
	}
	for _, k := range []int{0, 1001} {
		_, err := c.VectorSearch(ctx, ns, []float32{1, 2, 3}, k, nil)
		wantCode(t, "client search k out of range", err, codes.InvalidArgument, "")
	}
	_, err := c.VectorInsert(ctx, ns, strings.Repeat("i", 513), []float32{1, 2, 3}, nil)
	wantCode(t, "insert with a 513-byte id", err, codes.InvalidArgument, "512")
	mustInsert(t, c, ns, strings.Repeat("i", 512), []float32{3, 2, 1})

	// The server's own checks, for requests the client would refuse itself.
	leader, _ := nsReplicas(t, cl, ns)
	raw := dialRaw(t, cl.Addr(leader))
	for _, k := range []uint32{0, 1001} {
		_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: k})
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("server search k=%d: %v, want InvalidArgument", k, err)
		}
	}
	if r, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: 1000}); err != nil || len(r.Matches) != 2 {
		t.Fatalf("server search k=1000 = %v, %v; want both vectors", r, err)
	}
	for what, req := range map[string]*norikvpb.VectorInsertRequest{
		"empty id":        {Namespace: ns, Vector: []float32{1, 2, 3}},
		"empty namespace": {Id: "x", Vector: []float32{1, 2, 3}},
		"no vector":       {Namespace: ns, Id: "x"},
	} {
		if _, err := raw.vec.Insert(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Fatalf("server insert with %s: %v, want InvalidArgument", what, err)
		}
	}
	if _, err := raw.vec.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: "zero-dims", Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("server create with 0 dimensions: %v, want InvalidArgument", err)
	}
	// Consistency vocabularies (PROTOCOL §4), and an unknown level.
	for _, level := range []string{"", "lease", "linearizable", "strong", "stale_ok", "eventual", "bounded_staleness"} {
		if r, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: 1, Consistency: level}); err != nil || len(r.Matches) != 1 || r.Matches[0].Id != "ok" {
			t.Fatalf("search at %q = %v, %v", level, r, err)
		}
		if r, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "ok", Consistency: level}); err != nil || !r.Found {
			t.Fatalf("get at %q = %v, %v", level, r, err)
		}
	}
	_, err = raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: 1, Consistency: "bogus"})
	if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != "unknown consistency level: bogus" {
		t.Fatalf("search at consistency bogus: %v", err)
	}
	_, err = raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "ok", Consistency: "bogus"})
	if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != "unknown consistency level: bogus" {
		t.Fatalf("get at consistency bogus: %v", err)
	}
	if ix := listIndex(t, c, ns); ix.Count != 2 {
		t.Fatalf("count %d after refused inserts, want 2", ix.Count)
	}
}

func testVectorMissing(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	const ns = "no-such-index"
	want := "vector index " + ns + " not found"
	_, err := c.VectorInsert(ctx, ns, "x", []float32{1}, nil)
	checkMissing(t, "insert", err, want)
	_, err = c.VectorSearch(ctx, ns, []float32{1}, 1, nil)
	checkMissing(t, "search", err, want)
	_, err = c.VectorGet(ctx, ns, "x")
	checkMissing(t, "get", err, want)
	_, err = c.VectorGetWithOptions(ctx, ns, "x", &client.VectorGetOptions{Consistency: client.ConsistencyStaleOK})
	checkMissing(t, "stale get", err, want)
	if ok, err := c.VectorDropIndex(ctx, ns, nil); err != nil || ok {
		t.Fatalf("drop of a missing index = %v, %v; want false, nil", ok, err)
	}
}

func checkMissing(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("%s on a missing namespace: %v, want ErrKeyNotFound", what, err)
	}
	wantCode(t, what, err, codes.NotFound, "")
	var e *client.Error
	if errors.As(err, &e); e.Message != msg {
		t.Fatalf("%s on a missing namespace: message %q, want %q", what, e.Message, msg)
	}
}

func testVectorIdempotency(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	const ns = "idem"
	mustCreate(t, c, ns, 2, client.DistanceEuclidean, client.IndexBruteForce)
	v1, v2 := []float32{1, 1}, []float32{2, 2}
	k1 := &client.VectorInsertOptions{IdempotencyKey: "idem-vec-k1"}
	ver1, err := c.VectorInsert(ctx, ns, "x", v1, k1)
	if err != nil {
		t.Fatal(err)
	}
	ver2, err := c.VectorInsert(ctx, ns, "x", v2, &client.VectorInsertOptions{IdempotencyKey: "idem-vec-k2"})
	if err != nil || ver2 == ver1 {
		t.Fatalf("second insert = %+v, %v (first %+v)", ver2, err, ver1)
	}
	for i := 0; i < 2; i++ {
		replay, err := c.VectorInsert(ctx, ns, "x", v1, k1)
		if err != nil || replay != ver1 {
			t.Fatalf("replay %d of k1 = %+v, %v; want the original version %+v", i, replay, err, ver1)
		}
	}
	if got, err := c.VectorGet(ctx, ns, "x"); err != nil || !equalVec(got, v2) {
		t.Fatalf("after replaying k1, x = %v, %v; want %v (the replay applied again)", got, err, v2)
	}
	_, err = c.VectorInsert(ctx, ns, "y", v1, k1)
	wantCode(t, "k1 reused for another id", err, codes.InvalidArgument, "")
	if got, err := c.VectorGet(ctx, ns, "y"); err != nil || got != nil {
		t.Fatalf("the refused reuse inserted y: %v, %v", got, err)
	}
	_, err = c.VectorDelete(ctx, ns, "x", &client.VectorDeleteOptions{IdempotencyKey: "idem-vec-k1"})
	wantCode(t, "k1 reused for a delete", err, codes.InvalidArgument, "")

	d1 := &client.VectorDeleteOptions{IdempotencyKey: "idem-vec-d1"}
	if ok, err := c.VectorDelete(ctx, ns, "x", d1); err != nil || !ok {
		t.Fatalf("delete = %v, %v", ok, err)
	}
	mustInsert(t, c, ns, "x", v1)
	if ok, err := c.VectorDelete(ctx, ns, "x", d1); err != nil || !ok {
		t.Fatalf("replayed delete = %v, %v; want the original true", ok, err)
	}
	if got, err := c.VectorGet(ctx, ns, "x"); err != nil || !equalVec(got, v1) {
		t.Fatalf("the replayed delete applied again: x = %v, %v", got, err)
	}
	if ix := listIndex(t, c, ns); ix.Count != 1 {
		t.Fatalf("count %d, want 1", ix.Count)
	}

	// Create and drop replays return the original reply without applying:
	// a retried drop never removes an index created after it.
	const ns2 = "idem-ddl"
	cr := &client.CreateVectorIndexOptions{IdempotencyKey: "idem-ddl-create"}
	for i, want := range []bool{true, true} {
		created, err := c.VectorCreateIndex(ctx, ns2, 2, client.DistanceCosine, client.IndexHNSW, cr)
		if err != nil || created != want {
			t.Fatalf("create %d with one key = %v, %v; want %v", i, created, err, want)
		}
	}
	dr := &client.DropVectorIndexOptions{IdempotencyKey: "idem-ddl-drop"}
	if ok, err := c.VectorDropIndex(ctx, ns2, dr); err != nil || !ok {
		t.Fatalf("drop = %v, %v", ok, err)
	}
	mustCreate(t, c, ns2, 2, client.DistanceCosine, client.IndexHNSW)
	mustInsert(t, c, ns2, "kept", []float32{1, 0})
	if ok, err := c.VectorDropIndex(ctx, ns2, dr); err != nil || !ok {
		t.Fatalf("replayed drop = %v, %v; want the original true", ok, err)
	}
	if got, err := c.VectorGet(ctx, ns2, "kept"); err != nil || !equalVec(got, []float32{1, 0}) {
		t.Fatalf("the replayed drop applied again: kept = %v, %v", got, err)
	}
}

// testVectorLargeReply: a search whose reply exceeds gRPC's 4 MiB default
// (300 vectors of 4096 dimensions, with their vectors) still comes back.
func testVectorLargeReply(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	const ns, dims, n = "large-reply", 4096, 300
	mustCreate(t, c, ns, dims, client.DistanceEuclidean, client.IndexBruteForce)
	for i := 0; i < n; i++ {
		mustInsert(t, c, ns, fmt.Sprintf("v%03d", i), vecFor(i, dims))
	}
	res, err := c.VectorSearch(ctx, ns, vecFor(0, dims), n, &client.VectorSearchOptions{IncludeVectors: true})
	if err != nil {
		t.Fatalf("search with a %d MiB reply: %v", n*dims*4>>20, err)
	}
	if len(res.Matches) != n || len(res.Matches[0].Vector) != dims || res.Matches[0].ID != "v000" {
		t.Fatalf("got %d matches, first %q with %d values", len(res.Matches), res.Matches[0].ID, len(res.Matches[0].Vector))
	}
}
