package service_test

import (
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/service"
)

// TestVectorCallsOnAFollowerAreForwarded is a raw gRPC client that only
// ever talks to one follower of the namespace's group, as NoriKV's own SDK
// does: every Vector RPC succeeds, served by the leader, and the reply
// headers name the leader.
func TestVectorCallsOnAFollowerAreForwarded(t *testing.T) {
	ctx := testCtx(t)
	ns := "svc-vec-forwarded"
	leader := tc.LeaderOf(tc.shard(ns))
	fv := tc.vecOn(t, tc.followerID(ns))
	check := func(what string, err error, hdr metadata.MD) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s through a follower: %v", what, err)
		}
		if got := hdr.Get(service.ServedByKey); len(got) != 1 || got[0] != leader {
			t.Fatalf("%s: %s header %v, want %s", what, service.ServedByKey, got, leader)
		}
		if got := hdr.Get(service.LeaderKey); len(got) != 1 || got[0] != tc.Addr(leader) {
			t.Fatalf("%s: %s header %v, want %s", what, service.LeaderKey, got, tc.Addr(leader))
		}
	}
	var hdr metadata.MD
	created, err := fv.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 2,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}, grpc.Header(&hdr))
	check("CreateIndex", err, hdr)
	if !created.Created || created.Meta["served_by"] != leader {
		t.Fatalf("CreateIndex reply %v", created)
	}
	for id, v := range map[string][]float32{"a": {0, 0}, "b": {3, 4}} {
		hdr = nil
		ins, err := fv.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: id, Vector: v}, grpc.Header(&hdr))
		check("Insert", err, hdr)
		if !ins.Inserted || ins.Version.GetIndex() == 0 {
			t.Fatalf("Insert reply %v", ins)
		}
	}
	hdr = nil
	// Request metadata travels with the call: the exact-scan flag is echoed.
	mctx := metadata.AppendToOutgoingContext(ctx, service.MetaExact, "true")
	res, err := fv.Search(mctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{3, 3}, K: 2, Consistency: "linearizable"}, grpc.Header(&hdr))
	check("Search", err, hdr)
	if len(res.Matches) != 2 || res.Matches[0].Id != "b" || len(hdr.Get(service.MetaExact)) != 1 {
		t.Fatalf("Search reply %v (header %v)", res.Matches, hdr)
	}
	hdr = nil
	got, err := fv.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "b"}, grpc.Header(&hdr))
	check("Get", err, hdr)
	if !got.Found || len(got.Vector) != 2 || got.Vector[1] != 4 {
		t.Fatalf("Get reply %v", got)
	}
	hdr = nil
	del, err := fv.Delete(ctx, &norikvpb.VectorDeleteRequest{Namespace: ns, Id: "a"}, grpc.Header(&hdr))
	check("Delete", err, hdr)
	if !del.Deleted {
		t.Fatalf("Delete reply %v", del)
	}
	hdr = nil
	drop, err := fv.DropIndex(ctx, &norikvpb.DropVectorIndexRequest{Namespace: ns}, grpc.Header(&hdr))
	check("DropIndex", err, hdr)
	if !drop.Dropped {
		t.Fatalf("DropIndex reply %v", drop)
	}
	// The leader's own errors come back unchanged.
	_, err = fv.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 1}, K: 1})
	wantCode(t, err, codes.NotFound, "not found")
}

// TestForwardedCallsNeverHopTwice sends a call already marked as forwarded
// to a follower: it answers NOT_LEADER with the hint instead of forwarding.
func TestForwardedCallsNeverHopTwice(t *testing.T) {
	ctx := metadata.AppendToOutgoingContext(testCtx(t), service.ForwardedKey, "elsewhere")
	ns := "svc-vec-onehop"
	createIndex(t, ns, 2, norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE)
	var tr metadata.MD
	_, err := tc.vecOn(t, tc.followerID(ns)).Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "x"}, grpc.Trailer(&tr))
	wantCode(t, err, codes.Unavailable, "NOT_LEADER")
	if hint(tr) != tc.Addr(tc.LeaderOf(tc.shard(ns))) {
		t.Fatalf("leader-hint %q, want the leader", hint(tr))
	}
}
