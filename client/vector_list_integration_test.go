package client_test

import (
	"fmt"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

func testVectorList(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	ctx := tctx(t)
	const ns, dims = "list-hnsw", 16
	created, err := c.VectorCreateIndex(ctx, ns, dims, client.DistanceCosine, client.IndexHNSW,
		&client.CreateVectorIndexOptions{M: 8, EfConstruction: 64, EfSearch: 32})
	if err != nil || !created {
		t.Fatalf("create = %v, %v", created, err)
	}
	for i := 0; i < 10; i++ {
		mustInsert(t, c, ns, fmt.Sprintf("id%03d", i), vecFor(i, dims))
	}
	leader, followers := nsReplicas(t, cl, ns)
	ix := listIndex(t, c, ns)
	want := client.VectorIndexInfo{
		Namespace: ns, Dimensions: dims, Distance: client.DistanceCosine, IndexType: client.IndexHNSW,
		Count: 10, Bytes: ix.Bytes, Shard: nsShard(ns), M: 8, EfConstruction: 64, EfSearch: 32,
		ServedBy: leader, FromLeader: true,
	}
	if ix != want {
		t.Fatalf("ListVectorIndexes entry\n got  %+v\n want %+v", ix, want)
	}
	if ix.Bytes < 10*dims*4 {
		t.Fatalf("bytes %d for 10 x %d float32, want at least %d", ix.Bytes, dims, 10*dims*4)
	}
	for i := 10; i < 210; i++ {
		mustInsert(t, c, ns, fmt.Sprintf("id%03d", i), vecFor(i, dims))
	}
	for i := 0; i < 10; i++ {
		if ok, err := c.VectorDelete(ctx, ns, fmt.Sprintf("id%03d", i), nil); err != nil || !ok {
			t.Fatalf("delete %d = %v, %v", i, ok, err)
		}
	}
	grown := listIndex(t, c, ns)
	if grown.Count != 200 || grown.Bytes <= ix.Bytes {
		t.Fatalf("after +200 -10: count %d bytes %d (before: %d bytes), want 200 and more bytes", grown.Count, grown.Bytes, ix.Bytes)
	}

	// Every replica lists the index from its own state; only the leader
	// says FromLeader.
	for _, id := range append([]string{leader}, followers...) {
		raw := dialRaw(t, cl.Addr(id))
		pollUntil(t, id+" to list 200 vectors", func() string {
			got := nodeIndex(ctx, t, raw, ns)
			if got == nil || got.Count != 200 {
				return fmt.Sprintf("entry %v", got)
			}
			if got.ServedBy != id || got.FromLeader != (id == leader) || got.Dimensions != dims ||
				got.Distance != norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE || got.IndexType != norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW || got.Bytes == 0 {
				t.Fatalf("node %s lists %v", id, got)
			}
			return ""
		})
	}

	mustCreate(t, c, "list-bf", 5, client.DistanceInnerProduct, client.IndexBruteForce)
	mustCreate(t, c, "list-hnsw-default", 5, client.DistanceEuclidean, client.IndexHNSW)
	for i := 0; i < 3; i++ {
		mustInsert(t, c, "list-bf", fmt.Sprint(i), vecFor(i, 5))
	}
	bf := listIndex(t, c, "list-bf")
	if bf.Count != 3 || bf.Bytes == 0 || bf.Dimensions != 5 || bf.Distance != client.DistanceInnerProduct ||
		bf.IndexType != client.IndexBruteForce || bf.M != 0 || !bf.FromLeader {
		t.Fatalf("brute force entry %+v", bf)
	}
	def := listIndex(t, c, "list-hnsw-default")
	if def.Count != 0 || def.M <= 0 || def.EfConstruction <= 0 || def.EfSearch <= 0 || def.IndexType != client.IndexHNSW {
		t.Fatalf("default HNSW entry %+v: want positive default parameters", def)
	}
	// A follower cut off from the leader cannot apply the drop and keeps
	// listing the index; the client must not report it, since the shard's
	// leader answered without it.
	// Cut it from every other node, not just from the leader named in the
	// view: a leader that moves at that moment (a hand-back to the preferred
	// leader, say) would otherwise still reach it and replicate the drop.
	_, bfFollowers := nsReplicas(t, cl, "list-bf")
	lagging := bfFollowers[0]
	// The follower must hold the index before the cut: it may not yet have
	// heard the commit index that covers the create and the inserts.
	laggingRaw := dialRaw(t, cl.Addr(lagging))
	pollUntil(t, lagging+" to list list-bf with 3 vectors", func() string {
		if got := nodeIndex(ctx, t, laggingRaw, "list-bf"); got == nil || got.Count != 3 {
			return fmt.Sprintf("entry %v", got)
		}
		return ""
	})
	for _, id := range cl.NodeIDs() {
		if id != lagging {
			cl.CutLink(id, lagging)
		}
	}
	defer cl.HealAll()
	if _, err := c.VectorDropIndex(ctx, "list-bf", nil); err != nil {
		t.Fatal(err)
	}
	if got := nodeIndex(ctx, t, laggingRaw, "list-bf"); got == nil {
		t.Fatal("the cut-off follower already forgot the index: the test cannot show the stale entry")
	}
	all, err := c.ListVectorIndexes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Namespace == "list-bf" {
			t.Fatalf("dropped index still listed from a lagging replica: %+v", e)
		}
	}
	cl.HealAll()
	pollUntil(t, "the healed follower to apply the drop", func() string {
		if got := nodeIndex(ctx, t, laggingRaw, "list-bf"); got != nil {
			return fmt.Sprintf("still holds %v", got)
		}
		return ""
	})
}
