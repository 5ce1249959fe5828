package service_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/service"
)

// leaderShards groups shards by the node leading them.
func leaderShards() map[string][]uint32 {
	out := map[string][]uint32{}
	for s := 0; s < tc.Layout().TotalShards; s++ {
		id := tc.LeaderOf(uint32(s))
		out[id] = append(out[id], uint32(s))
	}
	return out
}

func TestScanPrefixCursorLimitOrder(t *testing.T) {
	ctx := testCtx(t)
	var want []string
	for i := 0; i < 40; i++ {
		k := fmt.Sprintf("scan/%03d", i)
		want = append(want, k)
		tc.put(ctx, t, &norikvpb.PutRequest{Key: []byte(k), Value: bytes.Repeat([]byte("x"), i)})
	}
	tc.put(ctx, t, &norikvpb.PutRequest{Key: []byte("scan0"), Value: []byte("not in prefix")})
	// Page through every leader's shards with a small limit; merge.
	var got []string
	for id, shards := range leaderShards() {
		var cursor []byte
		var prev []byte
		for pages := 0; ; pages++ {
			resp, err := tc.consoleOn(t, id).Scan(ctx, &consolepb.ScanRequest{
				Shards: shards, Prefix: []byte("scan/"), StartAfter: cursor, Limit: 3, IncludeValues: true, ValuePreviewBytes: 5,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Entries) > 3 {
				t.Fatalf("page of %d entries with limit 3", len(resp.Entries))
			}
			for _, e := range resp.Entries {
				if bytes.Compare(e.Key, prev) <= 0 {
					t.Fatalf("scan out of order: %q after %q", e.Key, prev)
				}
				prev = e.Key
				if !slices.Contains(shards, e.Shard) || e.Shard != tc.shard(string(e.Key)) {
					t.Fatalf("entry %q in shard %d", e.Key, e.Shard)
				}
				if int(e.Size) != len(e.Value)+boolInt(e.ValueTruncated)*(int(e.Size)-5) || len(e.Value) > 5 || e.Version.GetIndex() == 0 {
					t.Fatalf("entry %q: size %d, value %q, truncated %v", e.Key, e.Size, e.Value, e.ValueTruncated)
				}
				got = append(got, string(e.Key))
			}
			if resp.Done {
				if len(resp.NextCursor) != 0 {
					t.Fatalf("done page with cursor %q", resp.NextCursor)
				}
				break
			}
			cursor = resp.NextCursor
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("scanned %d keys %v, want %d", len(got), got, len(want))
	}

	// A follower refuses lease scans with a hint, and serves stale ones.
	shard := tc.shard("scan/000")
	follower := tc.followerID("scan/000")
	var trailer metadata.MD
	_, err := tc.consoleOn(t, follower).Scan(ctx, &consolepb.ScanRequest{Shards: []uint32{shard}}, grpc.Trailer(&trailer))
	wantCode(t, err, codes.Unavailable, "NOT_LEADER")
	if hint(trailer) != tc.Addr(tc.LeaderOf(shard)) {
		t.Fatalf("hint %q", hint(trailer))
	}
	_, err = tc.consoleOn(t, follower).Scan(ctx, &consolepb.ScanRequest{Shards: []uint32{shard}, Consistency: "stale_ok"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.consoleOn(t, follower).Scan(ctx, &consolepb.ScanRequest{Limit: 10001})
	wantCode(t, err, codes.InvalidArgument, "scan limit of 10000")
	_, err = tc.consoleOn(t, follower).Scan(ctx, &consolepb.ScanRequest{Shards: []uint32{99999}})
	wantCode(t, err, codes.NotFound, "shard 99999 not found")
	_, err = tc.consoleOn(t, follower).Scan(ctx, &consolepb.ScanRequest{Consistency: "nope"})
	wantCode(t, err, codes.InvalidArgument, "unknown consistency level: nope")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestNodeStatusAndVectorIndexes(t *testing.T) {
	ctx := testCtx(t)
	for _, id := range tc.NodeIDs() { // so every node has counted requests
		_, _ = tc.kvOn(t, id).Get(ctx, &norikvpb.GetRequest{Key: []byte("status-probe"), Consistency: "stale_ok"})
	}
	for i, id := range tc.NodeIDs() {
		st := settledNodeStatus(ctx, t, id)
		if st.NodeId != id || st.Addr != tc.Addrs()[i] || st.RaftAddr == "" || st.Epoch == 0 ||
			st.TotalShards != uint32(tc.Layout().TotalShards) || st.TotalGroups != uint32(tc.Layout().Groups) || len(st.Groups) != tc.Layout().Groups || len(st.Requests) == 0 {
			t.Fatalf("status of %s: %+v", id, st)
		}
		for _, g := range st.Groups {
			first, end := tc.Layout().ShardsOfGroup(int(g.GroupId))
			if g.Term == 0 || g.CommitIndex == 0 || g.LeaderId == "" || len(g.Peers) != 3 || len(g.Shards) != int(end-first) {
				t.Fatalf("group status %+v", g)
			}
			if (g.State == "leader") != (g.LeaderId == id) {
				t.Fatalf("node %s group %d: state %s, leader %s", id, g.GroupId, g.State, g.LeaderId)
			}
		}
		ix, err := tc.consoleOn(t, id).ListVectorIndexes(ctx, &consolepb.ListVectorIndexesRequest{})
		if err != nil {
			t.Fatalf("list vector indexes: %v", err)
		}
		for _, in := range ix.Indexes { // without stale_ok a node lists only what it leads
			if !in.FromLeader || in.ServedBy != id || tc.LeaderOf(in.Shard) != id {
				t.Fatalf("node %s listed %v", id, in)
			}
		}
	}
}

// settledNodeStatus returns id's NodeStatus once every group there knows a
// commit index: a follower learns it with the leader's next AppendEntries,
// up to one commit timeout after the cluster starts, so a test that runs
// first (or alone) would otherwise see 0.
func settledNodeStatus(ctx context.Context, t *testing.T, id string) *consolepb.NodeStatusResponse {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := tc.consoleOn(t, id).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		settled := true
		for _, g := range st.Groups {
			settled = settled && g.CommitIndex > 0
		}
		if settled || time.Now().After(deadline) {
			return st
		}
	}
}

// TestScanPagesBoundedBySize: with 1 MiB value previews a page stops at
// MaxScanReplyBytes and carries a cursor; the next page continues.
func TestScanPagesBoundedBySize(t *testing.T) {
	ctx := testCtx(t)
	value := bytes.Repeat([]byte("v"), 1<<20)
	var want []string
	for i := 0; i < 12; i++ {
		k := fmt.Sprintf("bigscan:%02d", i)
		want = append(want, k)
		tc.put(ctx, t, &norikvpb.PutRequest{Key: []byte(k), Value: value})
	}
	// n1 answers from its own replicas (stale_ok): poll until it has applied every put.
	var got []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got = scanAllPages(ctx, t)
		if fmt.Sprint(got) == fmt.Sprint(want) || time.Now().After(deadline) {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scanned %v, want %v", got, want)
	}
}

func scanAllPages(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var got []string
	var cursor []byte
	for pages := 1; ; pages++ {
		resp, err := tc.consoleOn(t, tc.NodeIDs()[0]).Scan(ctx, &consolepb.ScanRequest{Prefix: []byte("bigscan:"), StartAfter: cursor,
			IncludeValues: true, ValuePreviewBytes: 1 << 20, Consistency: "stale_ok"})
		if err != nil {
			t.Fatal(err)
		}
		entries, done := resp.Entries, resp.Done
		if len(entries) > service.MaxScanReplyBytes>>20 {
			t.Fatalf("page %d holds %d MiB values, bound is %d bytes", pages, len(entries), service.MaxScanReplyBytes)
		}
		for _, e := range entries {
			if len(e.Value) != 1<<20 {
				t.Fatalf("%s preview %d bytes", e.Key, len(e.Value))
			}
			got = append(got, string(e.Key))
		}
		if done {
			return got
		}
		if pages > 12 || len(resp.NextCursor) == 0 {
			t.Fatalf("page %d: not done, cursor %q", pages, resp.NextCursor)
		}
		cursor = resp.NextCursor
	}
}
