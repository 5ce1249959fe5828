package service_test

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestIdempotentReplay(t *testing.T) {
	ctx := testCtx(t)
	key := []byte("idem")
	kv := tc.leaderKV(t, "idem")
	first, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("once"), TtlMs: 3_600_000, IdempotencyKey: "idem-put-1"})
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite, then replay the first write: it must not apply again.
	if _, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("later")}); err != nil {
		t.Fatal(err)
	}
	replay, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("once"), TtlMs: 3_600_000, IdempotencyKey: "idem-put-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first, replay) {
		t.Fatalf("replay reply %v, original %v", replay, first)
	}
	g, _ := kv.Get(ctx, &norikvpb.GetRequest{Key: key})
	if string(g.GetValue()) != "later" {
		t.Fatalf("replay applied again: value %q", g.GetValue())
	}

	// Deletes replay too.
	d1, err := kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IdempotencyKey: "idem-del-1"})
	if err != nil || !d1.Tombstoned {
		t.Fatalf("delete: %v %v", d1, err)
	}
	d2, err := kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IdempotencyKey: "idem-del-1"})
	if err != nil || !proto.Equal(d1, d2) {
		t.Fatalf("delete replay %v, original %v (%v)", d2, d1, err)
	}

	// Reuse for another operation or another key of the same group.
	_, err = kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IdempotencyKey: "idem-put-1"})
	wantCode(t, err, codes.InvalidArgument, "different operation or key")
	other := keyInGroup("idem-other", tc.Layout().GroupOfShard(tc.shard("idem")), 0)
	_, err = tc.leaderKV(t, other).Put(ctx, &norikvpb.PutRequest{Key: []byte(other), Value: []byte("x"), IdempotencyKey: "idem-put-1"})
	wantCode(t, err, codes.InvalidArgument, "different operation or key")
}

func TestIdempotentReplayAfterLeaderChange(t *testing.T) {
	ctx := testCtx(t)
	key := "idem-failover"
	shard := tc.shard(key)
	first, err := tc.leaderKV(t, key).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v"), IdempotencyKey: "idem-move-1"})
	if err != nil {
		t.Fatal(err)
	}
	old := tc.LeaderOf(shard)
	target := tc.followerID(key)
	if err := tc.TransferShard(ctx, shard, target); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tc.TransferShard(testCtx(t), shard, old) })
	replay, err := tc.kvOn(t, target).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v"), IdempotencyKey: "idem-move-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first.Version, replay.Version) {
		t.Fatalf("replay on new leader: version %v, original %v", replay.Version, first.Version)
	}
}

func TestTTLExpiry(t *testing.T) {
	ctx := testCtx(t)
	key := "ttl-short"
	leader := tc.leaderID(t, key)
	kv := tc.kvOn(t, leader)
	keysBefore := groupKeys(t, leader, tc.Layout().GroupOfShard(tc.shard(key)))
	before := time.Now().UnixMilli()
	p, err := kv.Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v"), TtlMs: 300})
	if err != nil {
		t.Fatal(err)
	}
	g, err := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(key)})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := strconv.ParseInt(g.Meta["expires_at_ms"], 10, 64)
	if err != nil || exp < before+300 || exp > time.Now().UnixMilli()+300 {
		t.Fatalf("expires_at_ms %q not ~300 ms from now (%v)", g.Meta["expires_at_ms"], err)
	}
	if p.Meta["expires_at_ms"] != g.Meta["expires_at_ms"] {
		t.Fatalf("put expiry %q, get expiry %q", p.Meta["expires_at_ms"], g.Meta["expires_at_ms"])
	}
	time.Sleep(time.Until(time.UnixMilli(exp)) + 20*time.Millisecond)
	for _, level := range []string{"", "linearizable", "stale_ok"} {
		_, err = kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level})
		wantCode(t, err, codes.NotFound, "key not found")
	}
	_, err = kv.Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v"), IfMatch: p.Version})
	wantCode(t, err, codes.FailedPrecondition, "key does not exist")

	// Scan never lists it, and the expirer deletes it from the state.
	shard := tc.shard(key)
	for _, id := range tc.NodeIDs() {
		resp, err := tc.consoleOn(t, id).Scan(ctx, &consolepb.ScanRequest{Shards: []uint32{shard}, Prefix: []byte(key), Consistency: "stale_ok"})
		if err != nil || len(resp.Entries) != 0 {
			t.Fatalf("scan on %s after expiry: %v %v", id, resp, err)
		}
	}
	for groupKeys(t, leader, tc.Layout().GroupOfShard(shard)) != keysBefore {
		if ctx.Err() != nil {
			t.Fatal("the expirer never deleted the expired key")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func groupKeys(t *testing.T, id string, g int) uint64 {
	st, err := tc.consoleOn(t, id).NodeStatus(testCtx(t), &consolepb.NodeStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, gs := range st.Groups {
		if int(gs.GroupId) == g {
			return gs.Keys
		}
	}
	t.Fatalf("node %s does not report group %d", id, g)
	return 0
}

// TestIdempotencyKeyReuseAcrossGroups: a key used for a write in one group
// is refused for a write in any other group (the key's owning group keeps a
// claim), while replays of the original write still answer from its record.
func TestIdempotencyKeyReuseAcrossGroups(t *testing.T) {
	ctx := testCtx(t)
	l := tc.Layout()
	const idem = "idem-cross-1"
	owner := l.GroupOfShard(tc.shard(idem))
	a := keyInGroup("cross-a", (owner+1)%l.Groups, 0)
	b := keyInGroup("cross-b", (owner+2)%l.Groups, 0)
	c := keyInGroup("cross-c", owner, 0)
	first, err := tc.leaderKV(t, a).Put(ctx, &norikvpb.PutRequest{Key: []byte(a), Value: []byte("1"), IdempotencyKey: idem})
	if err != nil {
		t.Fatal(err)
	}
	// A replay gives the original reply.
	again, err := tc.leaderKV(t, a).Put(ctx, &norikvpb.PutRequest{Key: []byte(a), Value: []byte("1"), IdempotencyKey: idem})
	if err != nil || !proto.Equal(first.Version, again.Version) {
		t.Fatalf("replay %v %v, want version %v", again, err, first.Version)
	}
	for _, k := range []string{b, c} {
		_, err = tc.leaderKV(t, k).Put(ctx, &norikvpb.PutRequest{Key: []byte(k), Value: []byte("2"), IdempotencyKey: idem})
		wantCode(t, err, codes.InvalidArgument, "different operation or key")
		if _, err := tc.leaderKV(t, k).Get(ctx, &norikvpb.GetRequest{Key: []byte(k)}); err == nil {
			t.Fatalf("refused put of %s was applied", k)
		}
	}
	_, err = tc.leaderKV(t, a).Delete(ctx, &norikvpb.DeleteRequest{Key: []byte(a), IdempotencyKey: idem})
	wantCode(t, err, codes.InvalidArgument, "different operation or key")
	// A vector write in yet another group is refused too.
	ns := keyInGroup("cross-ns", (owner+3)%l.Groups, 0)
	createIndex(t, ns, 2, norikvpb.DistanceFunction_DISTANCE_FUNCTION_EUCLIDEAN, norikvpb.VectorIndexType_VECTOR_INDEX_TYPE_BRUTE_FORCE)
	_, err = tc.leaderVec(t, ns).Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "x", Vector: []float32{1, 2}, IdempotencyKey: idem})
	wantCode(t, err, codes.InvalidArgument, "different operation or key")
}
