package service_test

import (
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// BenchmarkVectorGetForwarding measures a lease Vector.Get on the leader
// and the same call sent to a follower, which forwards it (one extra gRPC
// hop on loopback).
func BenchmarkVectorGetForwarding(b *testing.B) {
	ctx := testCtx(b)
	ns := "bench-forward"
	vc := tc.leaderVec(b, ns)
	if _, err := vc.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 4,
		Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN}); err != nil {
		b.Fatal(err)
	}
	if _, err := vc.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "a", Vector: []float32{1, 2, 3, 4}}); err != nil {
		b.Fatal(err)
	}
	for _, via := range []struct{ name, node string }{{"leader", tc.LeaderOf(tc.shard(ns))}, {"follower", tc.followerID(ns)}} {
		b.Run(via.name, func(b *testing.B) {
			c := tc.vecOn(b, via.node)
			for i := 0; i < b.N; i++ {
				if res, err := c.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "a"}); err != nil || !res.Found {
					b.Fatalf("get via %s: %v %v", via.name, res, err)
				}
			}
		})
	}
}
