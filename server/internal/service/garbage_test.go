package service_test

import (
	"context"
	"math"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// rawCodec sends request bytes as they are, so we can post garbage.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func TestGarbageNeverPanics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second) // generous: -race is slow
	defer cancel()
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{
		"/norikv.v1.Kv/Put", "/norikv.v1.Kv/Get", "/norikv.v1.Kv/Delete",
		"/norikv.v1.Admin/TransferShard", "/norikv.v1.Admin/SnapshotShard",
		"/norikv.console.v1.Console/Scan", "/norikv.console.v1.Console/NodeStatus",
		"/norikv.v1.Vector/Insert", "/norikv.v1.Vector/CreateIndex", "/norikv.v1.Vector/Search",
		"/norikv.v1.Vector/Get", "/norikv.v1.Vector/Delete", "/norikv.v1.Vector/DropIndex",
		"/norikv.console.v1.Console/ListVectorIndexes",
	}
	for i := 0; i < 300; i++ {
		garbage := make([]byte, rng.IntN(200))
		for j := range garbage {
			garbage[j] = byte(rng.Uint32())
		}
		var out []byte
		addr := tc.Addrs()[i%3]
		err := tc.conn(t, addr).Invoke(ctx, methods[i%len(methods)], &garbage, &out, grpc.ForceCodec(rawCodec{}))
		if status.Code(err) == codes.Internal && strings.Contains(status.Convert(err).Message(), "internal error in") {
			t.Fatalf("handler panicked on garbage: %v", err)
		}
	}
	// Random but well-formed requests: every field garbage.
	for i := 0; i < 200; i++ {
		kv := tc.kvOn(t, tc.NodeIDs()[i%3])
		key := randBytes(rng, rng.IntN(1100))
		_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: randBytes(rng, rng.IntN(64)), TtlMs: rng.Uint64(),
			IdempotencyKey: strings.ToValidUTF8(string(randBytes(rng, rng.IntN(8))), "?"), IfMatch: &norikvpb.Version{Term: rng.Uint64(), Index: rng.Uint64()}})
		checkNoInternal(t, err)
		_, err = kv.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: strings.ToValidUTF8(string(randBytes(rng, rng.IntN(4))), "?")})
		checkNoInternal(t, err)
		_, err = tc.consoleOn(t, tc.NodeIDs()[i%3]).Scan(ctx, &consolepb.ScanRequest{
			Shards: []uint32{rng.Uint32() % 2048}, Prefix: key, StartAfter: randBytes(rng, rng.IntN(8)),
			Limit: rng.Uint32() % 20000, IncludeValues: true, ValuePreviewBytes: rng.Uint32(), Consistency: "stale_ok"})
		checkNoInternal(t, err)
		_, err = tc.adminOn(t, tc.NodeIDs()[i%3]).SnapshotShard(ctx, &norikvpb.ShardInfo{Id: rng.Uint32()})
		checkNoInternal(t, err)
		vc := tc.vecOn(t, tc.NodeIDs()[i%3])
		ns := []string{"garbage-ns", strings.ToValidUTF8(string(randBytes(rng, rng.IntN(300))), "?")}[i%2]
		_, err = vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: rng.Uint32() % 5000,
			Distance: norikvpb.DistanceFunction(rng.IntN(6) - 1), IndexType: norikvpb.VectorIndexType(rng.IntN(5) - 1)})
		checkNoInternal(t, err)
		vec := make([]float32, rng.IntN(6))
		for j := range vec {
			vec[j] = math.Float32frombits(rng.Uint32())
		}
		_, err = vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: strings.ToValidUTF8(string(randBytes(rng, rng.IntN(600))), "?"), Vector: vec,
			IdempotencyKey: strings.ToValidUTF8(string(randBytes(rng, rng.IntN(8))), "?")})
		checkNoInternal(t, err)
		_, err = vc.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: vec, K: rng.Uint32() % 1100,
			IncludeVectors: true, Consistency: []string{"", "stale_ok", "x"}[rng.IntN(3)]})
		checkNoInternal(t, err)
		_, err = vc.Delete(ctx, &norikvpb.VectorDeleteRequest{Namespace: ns, Id: strings.ToValidUTF8(string(randBytes(rng, rng.IntN(4))), "?")})
		checkNoInternal(t, err)
	}
	// Garbage on the replication port must not take a node down either.
	st, _ := tc.consoleOn(t, "n1").NodeStatus(ctx, &consolepb.NodeStatusRequest{})
	for i := 0; i < 20; i++ {
		c, err := net.DialTimeout("tcp", st.RaftAddr, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write(randBytes(rng, 1+rng.IntN(300)))
		_ = c.Close()
	}
	hdr := append([]byte("NKVR"), 0, 0, 0, 1, 2, 'n', '2')
	c, err := net.Dial("tcp", st.RaftAddr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write(append(hdr, randBytes(rng, 500)...))
	_ = c.Close()
	for _, id := range tc.NodeIDs() {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := tc.consoleOn(t, id).NodeStatus(cctx, &consolepb.NodeStatusRequest{})
		cancel()
		if err != nil {
			t.Fatalf("node %s after garbage: %v", id, err)
		}
	}
	if err := tc.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

func checkNoInternal(t *testing.T, err error) {
	t.Helper()
	switch status.Code(err) {
	case codes.OK, codes.InvalidArgument, codes.NotFound, codes.FailedPrecondition, codes.Unavailable, codes.AlreadyExists:
	default:
		t.Fatalf("unexpected status for garbage input: %v", err)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}
