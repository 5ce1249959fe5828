package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

func entries(shard uint32, keys ...string) []*consolepb.KeyEntry {
	var out []*consolepb.KeyEntry
	for _, k := range keys {
		out = append(out, &consolepb.KeyEntry{Key: []byte(k), Shard: shard})
	}
	return out
}

func keysOf(r *ScanResult) []string {
	var out []string
	for _, e := range r.Entries {
		out = append(out, string(e.Key))
	}
	return out
}

func TestMergeScan(t *testing.T) {
	cases := []struct {
		name     string
		parts    []scanPart
		limit    int
		want     []string
		wantNext string
		wantDone bool
	}{
		{"all done, fits", []scanPart{
			{entries: entries(1, "a", "d"), done: true},
			{entries: entries(2, "b", "c"), done: true},
		}, 10, []string{"a", "b", "c", "d"}, "", true},
		{"all done, trimmed", []scanPart{
			{entries: entries(1, "a", "d"), done: true},
			{entries: entries(2, "b", "c"), done: true},
		}, 3, []string{"a", "b", "c"}, "c", false},
		{"unfinished part bounds the page", []scanPart{
			{entries: entries(1, "a", "b"), next: []byte("b")},
			{entries: entries(2, "c", "d"), done: true},
		}, 10, []string{"a", "b"}, "b", false},
		{"empty", nil, 10, nil, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mergeScan(tc.parts, tc.limit)
			if fmt.Sprint(keysOf(r)) != fmt.Sprint(tc.want) || string(r.NextCursor) != tc.wantNext || r.Done != tc.wantDone {
				t.Fatalf("got %v next=%q done=%v, want %v next=%q done=%v", keysOf(r), r.NextCursor, r.Done, tc.want, tc.wantNext, tc.wantDone)
			}
		})
	}
}

// scanStore makes a fake node answer scans from a sorted key set, one
// shard per key (by the real routing), honouring shards, prefix, cursor and limit.
func scanStore(keys []string, totalShards int) func(context.Context, *consolepb.ScanRequest) (*consolepb.ScanResponse, error) {
	sort.Strings(keys)
	return func(_ context.Context, req *consolepb.ScanRequest) (*consolepb.ScanResponse, error) {
		want := map[uint32]bool{}
		for _, s := range req.GetShards() {
			want[s] = true
		}
		resp := &consolepb.ScanResponse{}
		for _, k := range keys {
			shard := uint32(ShardForKey([]byte(k), totalShards))
			if !want[shard] || !bytes.HasPrefix([]byte(k), req.GetPrefix()) || bytes.Compare([]byte(k), req.GetStartAfter()) <= 0 {
				continue
			}
			if len(resp.Entries) == int(req.GetLimit()) {
				resp.NextCursor = resp.Entries[len(resp.Entries)-1].Key
				return resp, nil
			}
			resp.Entries = append(resp.Entries, &consolepb.KeyEntry{Key: []byte(k), Shard: shard})
		}
		resp.Done = true
		return resp, nil
	}
}

func TestScanFanOutAndPaging(t *testing.T) {
	a := startFake(t, fakeServices{meta: true, console: true})
	b := startFake(t, fakeServices{console: true})
	var keys []string
	for i := 0; i < 40; i++ {
		keys = append(keys, fmt.Sprintf("k%02d", i))
	}
	store := scanStore(keys, 16)
	a.set(func(f *fakeNode) { f.onScan = store })
	b.set(func(f *fakeNode) { f.onScan = store })
	nodes := map[string]string{"a": a.addr, "b": b.addr}
	v := view(1, 16, "a", nodes)
	for _, s := range v.Shards[8:] { // b leads shards 8..15
		for _, r := range s.Replicas {
			r.Leader = r.NodeId == "b"
		}
	}
	scriptWatch(a, false, v)
	c := newTestClient(t, true, a.addr)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var got []string
	var cursor []byte
	for page := 0; ; page++ {
		r, err := c.Scan(ctxT(t), &ScanOptions{Cursor: cursor, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, keysOf(r)...)
		if r.Done {
			break
		}
		if page > 10 {
			t.Fatal("scan does not finish")
		}
		cursor = r.NextCursor
	}
	if strings.Join(got, ",") != strings.Join(keys, ",") {
		t.Fatalf("scan = %v, want %v", got, keys)
	}
	// Each page asks each leader once, with exactly the shards it leads.
	a.mu.Lock()
	first := a.scans[0]
	a.mu.Unlock()
	if len(first.GetShards()) != 8 || first.GetShards()[0] != 0 {
		t.Fatalf("node a asked for shards %v, want 0..7", first.GetShards())
	}
}

func TestScanGroupFallsBackPerShard(t *testing.T) {
	a := startFake(t, fakeServices{meta: true, console: true})
	b := startFake(t, fakeServices{console: true})
	keys := []string{"x1", "x2", "x3", "x4", "x5", "x6"}
	store := scanStore(keys, 16)
	// The view says a leads everything, but a only leads even shards now:
	// a grouped request is refused, per-shard requests get hints.
	a.set(func(f *fakeNode) {
		f.onScan = func(ctx context.Context, req *consolepb.ScanRequest) (*consolepb.ScanResponse, error) {
			for _, s := range req.GetShards() {
				if s%2 == 1 {
					return nil, notLeader(ctx, hintKey, b.addr, false)
				}
			}
			return store(ctx, req)
		}
	})
	b.set(func(f *fakeNode) { f.onScan = store })
	scriptWatch(a, false, view(1, 16, "a", map[string]string{"a": a.addr, "b": b.addr}))
	c := newTestClient(t, true, a.addr)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	r, err := c.Scan(ctxT(t), &ScanOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keysOf(r), ",") != strings.Join(keys, ",") || !r.Done {
		t.Fatalf("scan = %v done=%v", keysOf(r), r.Done)
	}
}

func TestConsoleUnsupported(t *testing.T) {
	f := startFake(t, fakeServices{}) // no Console, Admin or Vector
	c := newTestClient(t, false, f.addr)
	checks := map[string]error{}
	_, checks["scan"] = c.Scan(ctxT(t), nil)
	_, checks["list"] = c.ListVectorIndexes(ctxT(t))
	_, checks["status"] = c.NodeStatus(ctxT(t), f.addr)
	_, checks["statuses"] = c.NodeStatuses(ctxT(t))
	_, checks["transfer"] = c.TransferShard(ctxT(t), 1, "n2")
	_, checks["snapshot"] = c.SnapshotShard(ctxT(t), 1)
	_, checks["vector"] = c.VectorCreateIndex(ctxT(t), "ns", 3, DistanceCosine, IndexHNSW, nil)
	for name, err := range checks {
		var e *Error
		if !errors.Is(err, ErrUnsupported) || !errors.As(err, &e) || e.Code != codes.Unimplemented {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}

func TestListVectorIndexesPrefersLeader(t *testing.T) {
	a := startFake(t, fakeServices{console: true})
	b := startFake(t, fakeServices{console: true})
	dead := deadAddr(t)
	a.set(func(f *fakeNode) {
		f.onList = func(context.Context) (*consolepb.ListVectorIndexesResponse, error) {
			return &consolepb.ListVectorIndexesResponse{Indexes: []*consolepb.VectorIndexInfo{
				{Namespace: "docs", Count: 9, ServedBy: "a", FromLeader: false},
				{Namespace: "imgs", Count: 4, ServedBy: "a", FromLeader: true, Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE},
			}}, nil
		}
	})
	b.set(func(f *fakeNode) {
		f.onList = func(context.Context) (*consolepb.ListVectorIndexesResponse, error) {
			return &consolepb.ListVectorIndexesResponse{Indexes: []*consolepb.VectorIndexInfo{
				{Namespace: "docs", Count: 10, ServedBy: "b", FromLeader: true},
				{Namespace: "imgs", Count: 3, ServedBy: "b", FromLeader: false},
			}}, nil
		}
	})
	c := newTestClient(t, false, a.addr, b.addr, dead)
	got, err := c.ListVectorIndexes(ctxT(t))
	if err != nil {
		t.Fatalf("ListVectorIndexes with one node down: %v", err)
	}
	if len(got) != 2 || got[0].Namespace != "docs" || got[0].ServedBy != "b" || got[0].Count != 10 ||
		got[1].ServedBy != "a" || got[1].Distance != DistanceCosine {
		t.Fatalf("indexes = %+v", got)
	}
}

func TestHNSWMetadata(t *testing.T) {
	f := startFake(t, fakeServices{vector: true})
	c := newTestClient(t, false, f.addr)
	if _, err := c.VectorCreateIndex(ctxT(t), "ns", 3, DistanceEuclidean, IndexHNSW,
		&CreateVectorIndexOptions{M: 12, EfSearch: 40}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VectorSearch(ctxT(t), "ns", []float32{1, 2, 3}, 5, &VectorSearchOptions{Ef: 77}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VectorSearch(ctxT(t), "ns", []float32{1, 2, 3}, 5, nil); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	mds := append([]metadata.MD(nil), f.vecMD...)
	f.mu.Unlock()
	if len(mds) != 3 {
		t.Fatalf("%d vector calls", len(mds))
	}
	get := func(md metadata.MD, k string) string {
		if v := md.Get(k); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get(mds[0], MetaHNSWM) != "12" || get(mds[0], MetaHNSWEfSearch) != "40" || get(mds[0], MetaHNSWEfConstruction) != "" {
		t.Fatalf("create metadata = %v", mds[0])
	}
	if get(mds[1], MetaHNSWEf) != "77" || get(mds[2], MetaHNSWEf) != "" {
		t.Fatalf("search metadata = %v / %v", mds[1], mds[2])
	}
}

func TestErrorSurfaceForUnexpectedCodes(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return nil, status.Error(codes.PermissionDenied, "no")
		}
	})
	c := newTestClient(t, false, f.addr)
	_, err := c.Get(ctxT(t), []byte("k"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.PermissionDenied || status.Code(err) != codes.PermissionDenied {
		t.Fatalf("err = %v", err)
	}
	if c.Stats().Requests.ErrorsByCode["PermissionDenied"] != 1 {
		t.Fatalf("errors by code = %v", c.Stats().Requests.ErrorsByCode)
	}
}

func TestNodeStatusesPartialFailure(t *testing.T) {
	a := startFake(t, fakeServices{console: true})
	dead := deadAddr(t)
	c := newTestClient(t, false, a.addr, dead)
	res, err := c.NodeStatuses(ctxT(t))
	if err != nil {
		t.Fatalf("NodeStatuses with one node up: %v", err)
	}
	if len(res) != 2 || res[0].Err != nil || res[0].Status.Uptime != 1500*time.Millisecond || res[1].Err == nil {
		t.Fatalf("results = %+v", res)
	}
	var ce *ConnectionError
	if !errors.As(res[1].Err, &ce) || ce.Addr != dead {
		t.Fatalf("dead node error = %v, want *ConnectionError for %s", res[1].Err, dead)
	}
	if _, err := c.NodeStatus(ctxT(t), "no-such-node"); err == nil {
		t.Fatal("NodeStatus of an unknown node id succeeded")
	}
}

// TestListVectorIndexesKeepsWhatTheNewLeaderLists: mid-failover the node
// the view names leader answers while it still sees itself as a follower,
// so every entry says from_leader=false. An index it lists must stay; only
// one the leader's own answer lacks is a replica's undropped leftover.
// Before, any index without a from_leader entry was dropped once the
// view's leader answered at all: the Vectors pane read "0 indexes" with
// the old leader SIGSTOPped.
func TestListVectorIndexesKeepsWhatTheNewLeaderLists(t *testing.T) {
	a := startFake(t, fakeServices{meta: true, console: true})
	b := startFake(t, fakeServices{console: true})
	a.set(func(f *fakeNode) {
		f.onList = func(context.Context) (*consolepb.ListVectorIndexesResponse, error) {
			return &consolepb.ListVectorIndexesResponse{Indexes: []*consolepb.VectorIndexInfo{
				{Namespace: "docs", Count: 9, ServedBy: "a", FromLeader: false},
			}}, nil
		}
	})
	b.set(func(f *fakeNode) {
		f.onList = func(context.Context) (*consolepb.ListVectorIndexesResponse, error) {
			return &consolepb.ListVectorIndexesResponse{Indexes: []*consolepb.VectorIndexInfo{
				{Namespace: "docs", Count: 9, ServedBy: "b", FromLeader: false},
				{Namespace: "gone", Count: 1, ServedBy: "b", FromLeader: false},
			}}, nil
		}
	})
	scriptWatch(a, false, view(1, 16, "a", map[string]string{"a": a.addr, "b": b.addr}))
	c := newTestClient(t, true, a.addr)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got, err := c.ListVectorIndexes(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Namespace != "docs" {
		t.Fatalf("indexes = %+v, want docs only (listed by the view's leader a; gone only by replica b)", got)
	}
}
