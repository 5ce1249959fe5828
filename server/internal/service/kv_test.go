package service_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestLimitsOnLeaderAndFollower(t *testing.T) {
	ctx := testCtx(t)
	key := "limits"
	for _, id := range []string{tc.LeaderOf(tc.shard(key)), tc.followerID(key)} {
		kv := tc.kvOn(t, id)
		_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: nil, Value: []byte("v")})
		wantCode(t, err, codes.InvalidArgument, "1..1024 bytes")
		_, err = kv.Put(ctx, &norikvpb.PutRequest{Key: bytes.Repeat([]byte("k"), 1025), Value: []byte("v")})
		wantCode(t, err, codes.InvalidArgument, "key limit of 1024 bytes")
		_, err = kv.Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: make([]byte, 1<<20+1)})
		wantCode(t, err, codes.InvalidArgument, "value limit of 1 MiB")
		_, err = kv.Get(ctx, &norikvpb.GetRequest{Key: bytes.Repeat([]byte("k"), 1025)})
		wantCode(t, err, codes.InvalidArgument, "key limit")
		_, err = kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: "bogus"})
		wantCode(t, err, codes.InvalidArgument, "unknown consistency level: bogus")
		_, err = kv.Delete(ctx, &norikvpb.DeleteRequest{})
		wantCode(t, err, codes.InvalidArgument, "key is empty")
		_, err = kv.Put(ctx, &norikvpb.PutRequest{Key: []byte(key), IdempotencyKey: strings.Repeat("i", 513)})
		wantCode(t, err, codes.InvalidArgument, "idempotency key limit")
	}
	// The largest legal key and value are accepted.
	bigKey := bytes.Repeat([]byte("K"), 1024)
	kv := norikvpb.NewKvClient(tc.conn(t, tc.Addr(tc.LeaderOf(tc.shard(string(bigKey))))))
	if _, err := kv.Put(ctx, &norikvpb.PutRequest{Key: bigKey, Value: make([]byte, 1<<20)}); err != nil {
		t.Fatalf("1024-byte key with a 1 MiB value: %v", err)
	}
	got, err := kv.Get(ctx, &norikvpb.GetRequest{Key: bigKey})
	if err != nil || len(got.Value) != 1<<20 {
		t.Fatalf("get big value: %v (len %d)", err, len(got.GetValue()))
	}
}

func TestPutVersionEqualsGetVersion(t *testing.T) {
	ctx := testCtx(t)
	kv := tc.leaderKV(t, "versions")
	p1, err := kv.Put(ctx, &norikvpb.PutRequest{Key: []byte("versions"), Value: []byte("a")})
	if err != nil {
		t.Fatal(err)
	}
	g1, err := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte("versions")})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(p1.Version, g1.Version) || p1.Version.Index == 0 || p1.Version.Term == 0 {
		t.Fatalf("put version %v, get version %v", p1.Version, g1.Version)
	}
	p2, err := kv.Put(ctx, &norikvpb.PutRequest{Key: []byte("versions"), Value: []byte("b")})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version.Index <= p1.Version.Index {
		t.Fatalf("second put version %v not after %v", p2.Version, p1.Version)
	}
	g2, _ := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte("versions")})
	if !proto.Equal(p2.Version, g2.Version) || string(g2.Value) != "b" {
		t.Fatalf("get after second put: %v", g2)
	}
	if g2.Meta["served_by"] != tc.LeaderOf(tc.shard("versions")) || g2.Meta["shard"] != strconv.Itoa(int(tc.shard("versions"))) {
		t.Fatalf("meta %v", g2.Meta)
	}
	if _, ok := g2.Meta["expires_at_ms"]; ok {
		t.Fatalf("expires_at_ms set without a TTL: %v", g2.Meta)
	}
}

func TestCompareAndSwap(t *testing.T) {
	ctx := testCtx(t)
	key := []byte("cas")
	kv := tc.leaderKV(t, "cas")
	_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: []byte("cas-missing"), Value: []byte("x"), IfMatch: &norikvpb.Version{Term: 1, Index: 1}})
	if tc.LeaderOf(tc.shard("cas-missing")) == tc.LeaderOf(tc.shard("cas")) {
		wantCode(t, err, codes.FailedPrecondition, "key does not exist")
	}
	_, err = tc.leaderKV(t, "cas-missing").Put(ctx, &norikvpb.PutRequest{Key: []byte("cas-missing"), Value: []byte("x"), IfMatch: &norikvpb.Version{Term: 1, Index: 1}})
	wantCode(t, err, codes.FailedPrecondition, "key does not exist")

	p1, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("1")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("2"), IfMatch: p1.Version})
	if err != nil {
		t.Fatalf("CAS with the current version: %v", err)
	}
	_, err = kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("3"), IfMatch: p1.Version})
	want := "version mismatch: expected term=" + strconv.FormatUint(p1.Version.Term, 10) + " index=" + strconv.FormatUint(p1.Version.Index, 10) +
		", current term=" + strconv.FormatUint(p2.Version.Term, 10) + " index=" + strconv.FormatUint(p2.Version.Index, 10)
	wantCode(t, err, codes.FailedPrecondition, want)
	g, _ := kv.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "linearizable"})
	if string(g.GetValue()) != "2" {
		t.Fatalf("value after failed CAS = %q, want 2", g.GetValue())
	}
}

func TestDelete(t *testing.T) {
	ctx := testCtx(t)
	key := []byte("del")
	kv := tc.leaderKV(t, "del")
	d, err := kv.Delete(ctx, &norikvpb.DeleteRequest{Key: []byte("del-never-written")})
	if tc.LeaderOf(tc.shard("del-never-written")) == tc.LeaderOf(tc.shard("del")) {
		if err != nil || d.Tombstoned {
			t.Fatalf("delete of a missing key: %v %v", d, err)
		}
	}
	d, err = tc.leaderKV(t, "del-never-written").Delete(ctx, &norikvpb.DeleteRequest{Key: []byte("del-never-written")})
	if err != nil || d.Tombstoned || d.Version.GetIndex() == 0 {
		t.Fatalf("delete of a missing key: %v %v", d, err)
	}
	p, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IfMatch: &norikvpb.Version{Term: p.Version.Term, Index: p.Version.Index - 1}})
	wantCode(t, err, codes.FailedPrecondition, "version mismatch")
	d, err = kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IfMatch: p.Version})
	if err != nil || !d.Tombstoned || d.Version.Index <= p.Version.Index {
		t.Fatalf("delete with matching if_match: %v %v", d, err)
	}
	_, err = kv.Get(ctx, &norikvpb.GetRequest{Key: key})
	wantCode(t, err, codes.NotFound, "key not found")
	_, err = kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key, IfMatch: p.Version})
	wantCode(t, err, codes.FailedPrecondition, "key does not exist")
	if _, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("v2")}); err != nil {
		t.Fatal(err)
	}
	d, err = kv.Delete(ctx, &norikvpb.DeleteRequest{Key: key})
	if err != nil || !d.Tombstoned {
		t.Fatalf("unconditional delete: %v %v", d, err)
	}
}

func TestConsistencyLevels(t *testing.T) {
	ctx := testCtx(t)
	key := "consistency"
	put, err := tc.leaderKV(t, key).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v")})
	if err != nil {
		t.Fatal(err)
	}
	leader, follower := tc.LeaderOf(tc.shard(key)), tc.followerID(key)
	for _, level := range []string{"", "lease", "linearizable", "strong", "stale_ok", "eventual", "bounded_staleness"} {
		g, err := tc.kvOn(t, leader).Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level})
		if err != nil || !proto.Equal(g.Version, put.Version) {
			t.Fatalf("leader get at %q: %v %v", level, g, err)
		}
	}
	for _, level := range []string{"stale_ok", "eventual", "bounded_staleness"} {
		// A follower answers from its own state; it may lag by up to the
		// Raft commit timeout (50 ms) behind the leader.
		var g *norikvpb.GetResponse
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if g, err = tc.kvOn(t, follower).Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level}); err == nil {
				break
			}
		}
		if err != nil || g.Meta["served_by"] != follower {
			t.Fatalf("follower get at %q: %v %v", level, g, err)
		}
	}
	for _, level := range []string{"", "lease", "linearizable", "strong"} {
		var trailer metadata.MD
		_, err := tc.kvOn(t, follower).Get(ctx, &norikvpb.GetRequest{Key: []byte(key), Consistency: level}, grpc.Trailer(&trailer))
		wantCode(t, err, codes.Unavailable, "NOT_LEADER")
		if hint(trailer) != tc.Addr(leader) {
			t.Fatalf("level %q: leader-hint %q, want %q", level, hint(trailer), tc.Addr(leader))
		}
	}
}

func TestNotLeaderHintIsDialable(t *testing.T) {
	ctx := testCtx(t)
	key := "redirect-me"
	var trailer metadata.MD
	_, err := tc.kvOn(t, tc.followerID(key)).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v")}, grpc.Trailer(&trailer))
	wantCode(t, err, codes.Unavailable, "NOT_LEADER")
	addr := hint(trailer)
	if addr == "" {
		t.Fatal("no leader-hint trailer")
	}
	p, err := norikvpb.NewKvClient(tc.conn(t, addr)).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v")})
	if err != nil {
		t.Fatalf("put on hinted leader %s: %v", addr, err)
	}
	if p.Meta["served_by"] != tc.LeaderOf(tc.shard(key)) {
		t.Fatalf("served by %s", p.Meta["served_by"])
	}
}

func TestGetMissingKey(t *testing.T) {
	ctx := testCtx(t)
	_, err := tc.leaderKV(t, "never-written").Get(ctx, &norikvpb.GetRequest{Key: []byte("never-written")})
	wantCode(t, err, codes.NotFound, "key not found")
}
