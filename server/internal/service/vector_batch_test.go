package service_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

func batchOf(n, dims int, prefix string) []*consolepb.VectorBatchItem {
	items := make([]*consolepb.VectorBatchItem, n)
	for i := range items {
		v := make([]float32, dims)
		for j := range v {
			v[j] = float32(math.Sin(float64(i*dims + j)))
		}
		items[i] = &consolepb.VectorBatchItem{Id: fmt.Sprintf("%s%04d", prefix, i), Vector: v}
	}
	return items
}

// lastLogIndex is the leader's last log index of ns's group.
func lastLogIndex(t *testing.T, ns string) uint64 {
	t.Helper()
	st, err := tc.consoleOn(t, tc.LeaderOf(tc.shard(ns))).NodeStatus(testCtx(t), &consolepb.NodeStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	g := uint32(tc.Layout().GroupOfShard(tc.shard(ns)))
	for _, gs := range st.Groups {
		if gs.GroupId == g {
			return gs.LastLogIndex
		}
	}
	t.Fatalf("leader has no group %d", g)
	return 0
}

// TestVectorInsertBatch: a batch sent to a follower is forwarded, lands
// as one log entry on every replica, replays by idempotency key, and an
// invalid item fails the batch with its position and id.
func TestVectorInsertBatch(t *testing.T) {
	ctx := testCtx(t)
	ns := "svc-vec-batch"
	createIndex(t, ns, 8, norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_HNSW)
	items := batchOf(300, 8, "b")
	before := lastLogIndex(t, ns)
	fc := tc.consoleOn(t, tc.followerID(ns))
	req := &consolepb.VectorInsertBatchRequest{Namespace: ns, Items: items, IdempotencyKey: "svc-batch-1"}
	res, err := fc.VectorInsertBatch(ctx, req)
	if err != nil || res.Inserted != 300 || res.Version.GetIndex() == 0 {
		t.Fatalf("batch through a follower: %v %v", res, err)
	}
	// 300 single inserts would be 300 entries; the batch is one (plus
	// whatever else the group logged meanwhile, a few at most).
	if grew := lastLogIndex(t, ns) - before; grew > 5 {
		t.Fatalf("the leader's log grew by %d entries for one batch", grew)
	}
	again, err := tc.consoleOn(t, tc.LeaderOf(tc.shard(ns))).VectorInsertBatch(ctx, req)
	if err != nil || again.Version.GetIndex() != res.Version.GetIndex() {
		t.Fatalf("replay = %v %v, want the first version %v", again, err, res.Version)
	}
	other := &consolepb.VectorInsertBatchRequest{Namespace: ns, Items: items[:10], IdempotencyKey: "svc-batch-1"}
	_, err = fc.VectorInsertBatch(ctx, other)
	wantCode(t, err, codes.InvalidArgument, "idempotency key")

	// Every replica holds every item and answers searches identically.
	q := items[17].Vector
	var first []string
	for _, r := range tc.Layout().Replicas(tc.Layout().GroupOfShard(tc.shard(ns))) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			g, err := tc.vecOn(t, r.ID).Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: items[299].Id, Consistency: "stale_ok"})
			if err == nil && g.Found && slices.Equal(g.Vector, items[299].Vector) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s never applied the batch: %v %v", r.ID, g, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		s, err := tc.vecOn(t, r.ID).Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: q, K: 10, Consistency: "stale_ok"})
		if err != nil || s.Matches[0].Id != items[17].Id {
			t.Fatalf("replica %s search: %v %v", r.ID, s, err)
		}
		var ids []string
		for _, m := range s.Matches {
			ids = append(ids, m.Id)
		}
		if first == nil {
			first = ids
		} else if !slices.Equal(ids, first) {
			t.Fatalf("replica %s answers %v, another %v", r.ID, ids, first)
		}
	}
}

func TestVectorInsertBatchRefusesBadItems(t *testing.T) {
	ctx := testCtx(t)
	ns := "svc-vec-batch-bad"
	createIndex(t, ns, 4, norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE)
	lc := tc.consoleOn(t, tc.LeaderOf(tc.shard(ns)))
	fc := tc.consoleOn(t, tc.followerID(ns))
	send := func(c consolepb.ConsoleClient, n string, items []*consolepb.VectorBatchItem) error {
		_, err := c.VectorInsertBatch(ctx, &consolepb.VectorInsertBatchRequest{Namespace: n, Items: items})
		return err
	}
	nan := batchOf(10, 4, "n")
	nan[5].Vector[2] = float32(math.NaN())
	wantCode(t, send(fc, ns, nan), codes.InvalidArgument, `item 5 (id "n0005"): vector value 2 is NaN`)
	dims := batchOf(10, 4, "d")
	dims[7].Vector = dims[7].Vector[:3]
	wantCode(t, send(fc, ns, dims), codes.InvalidArgument, `item 7 (id "d0007"): vector has 3 dimensions, but vector index svc-vec-batch-bad has 4`)
	noID := batchOf(3, 4, "e")
	noID[1].Id = ""
	wantCode(t, send(lc, ns, noID), codes.InvalidArgument, `item 1 (id ""): vector id is empty`)
	wantCode(t, send(lc, ns, nil), codes.InvalidArgument, "batch has 0 items: a batch holds 1..1000 items")
	wantCode(t, send(lc, ns, batchOf(1001, 4, "x")), codes.InvalidArgument, "batch has 1001 items")
	big := batchOf(300, 4096, "big") // 300 x 16 KiB = 4.7 MiB: over the 3 MiB bound
	wantCode(t, send(lc, ns, big[:200]), codes.InvalidArgument, "batch is over 3145728 bytes")
	wantCode(t, send(lc, "svc-vec-batch-none", batchOf(2, 4, "m")), codes.NotFound, "vector index svc-vec-batch-none not found")
	// Nothing of the refused batches was written.
	list, err := lc.ListVectorIndexes(ctx, &consolepb.ListVectorIndexesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range list.Indexes {
		if ix.Namespace == ns && ix.Count != 0 {
			t.Fatalf("refused batches left %d vectors", ix.Count)
		}
	}
}
