package client_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// TestVectorReplication checks followers: stale_ok reads from their own
// replica, validation before the leadership check, NOT_LEADER with a hint,
// and no acknowledged insert lost or doubled across leader changes.
func TestVectorReplication(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	cl, c := startCluster(t)
	t.Run("FollowerStaleReads", func(t *testing.T) { testVectorFollowerReads(t, cl, c) })
	t.Run("FollowerValidatesFirst", func(t *testing.T) { testVectorFollowerValidates(t, cl, c) })
	t.Run("FollowerNotLeader", func(t *testing.T) { testVectorFollowerNotLeader(t, cl, c) })
	t.Run("LeaderChangeMidStream", func(t *testing.T) { testVectorLeaderChange(t, cl, c) })
}

func testVectorFollowerReads(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	ctx := tctx(t)
	const ns, dims, n = "repl", 4, 20
	mustCreate(t, c, ns, dims, client.DistanceEuclidean, client.IndexHNSW)
	vecs := map[string][]float32{}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("r%02d", i)
		vecs[id] = vecFor(i, dims)
		mustInsert(t, c, ns, id, vecs[id])
	}
	q := []float32{0.1, -0.2, 0.3, 0}
	want, err := c.VectorSearch(ctx, ns, q, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, exact := matchIDs(want.Matches), exactOrder(vecs, q, euclidean)[:5]; !slices.Equal(got, exact) {
		t.Fatalf("leader search %v, want %v", got, exact)
	}
	_, followers := nsReplicas(t, cl, ns)
	stale := &client.VectorGetOptions{Consistency: client.ConsistencyStaleOK}
	for _, f := range followers {
		fc := pinnedClient(t, cl.Addr(f))
		pollUntil(t, f+" to apply the inserts", func() string {
			got, err := fc.VectorGetWithOptions(ctx, ns, fmt.Sprintf("r%02d", n-1), stale)
			if err != nil || got == nil {
				return fmt.Sprintf("get = %v, %v", got, err)
			}
			return ""
		})
		for id, v := range vecs {
			if got, err := fc.VectorGetWithOptions(ctx, ns, id, stale); err != nil || !equalVec(got, v) {
				t.Fatalf("stale get of %s on %s = %v, %v; want %v", id, f, got, err, v)
			}
		}
		res, err := fc.VectorSearch(ctx, ns, q, 5, &client.VectorSearchOptions{Consistency: client.ConsistencyStaleOK})
		if err != nil {
			t.Fatalf("stale search on %s: %v", f, err)
		}
		if !slices.Equal(matchIDs(res.Matches), matchIDs(want.Matches)) {
			t.Fatalf("stale search on %s = %v, leader said %v", f, matchIDs(res.Matches), matchIDs(want.Matches))
		}
		for i, m := range res.Matches {
			if m.Distance != want.Matches[i].Distance {
				t.Fatalf("stale search on %s: %s at %v, leader said %v", f, m.ID, m.Distance, want.Matches[i].Distance)
			}
		}
		for _, op := range []string{"vector search", "vector get"} {
			if st := fc.Stats().Ops[op]; st.Redirects != 0 || st.Calls == 0 {
				t.Fatalf("%s on follower %s: %+v; want answered there without a redirect", op, f, st)
			}
		}
		// A raw request to the follower proves who answered.
		raw := dialRaw(t, cl.Addr(f))
		for _, level := range []string{"stale_ok", "eventual", "bounded_staleness"} {
			r, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: q, K: 5, Consistency: level})
			if err != nil || len(r.Matches) != 5 || r.Matches[0].Id != want.Matches[0].ID {
				t.Fatalf("raw %s search on %s = %v, %v", level, f, r, err)
			}
			g, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "r01", Consistency: level})
			if err != nil || !g.Found || !equalVec(g.Vector, vecs["r01"]) {
				t.Fatalf("raw %s get on %s = %v, %v", level, f, g, err)
			}
		}
		// Lease reads and writes through a follower-only client work: the
		// follower forwards them to the leader (issue 9 §3).
		if got, err := fc.VectorGet(ctx, ns, "r00"); err != nil || !equalVec(got, vecs["r00"]) {
			t.Fatalf("lease get via %s = %v, %v", f, got, err)
		}
		if _, err := fc.VectorInsert(ctx, ns, "via-"+f, []float32{50, 50, 50, 50}, nil); err != nil {
			t.Fatalf("insert through a client that only knows follower %s: %v", f, err)
		}
	}
	// A delete on the leader reaches the followers too.
	if ok, err := c.VectorDelete(ctx, ns, "r00", nil); err != nil || !ok {
		t.Fatalf("delete = %v, %v", ok, err)
	}
	for _, f := range followers {
		fc := pinnedClient(t, cl.Addr(f))
		pollUntil(t, f+" to apply the delete", func() string {
			got, err := fc.VectorGetWithOptions(ctx, ns, "r00", stale)
			if err != nil || got != nil {
				return fmt.Sprintf("get = %v, %v", got, err)
			}
			return ""
		})
		res, err := fc.VectorSearch(ctx, ns, vecs["r00"], 1000, &client.VectorSearchOptions{Consistency: client.ConsistencyStaleOK})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(matchIDs(res.Matches), "r00") {
			t.Fatalf("follower %s still returns the deleted r00", f)
		}
	}
}

func testVectorFollowerValidates(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	ctx := tctx(t)
	const ns = "repl-validate"
	mustCreate(t, c, ns, 3, client.DistanceCosine, client.IndexBruteForce)
	_, followers := nsReplicas(t, cl, ns)
	raw := dialRaw(t, cl.Addr(followers[0]))
	// The follower must know the index to check dimensions.
	pollUntil(t, "the follower to learn the index", func() string {
		_, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "x", Consistency: "stale_ok"})
		return errString(err)
	})
	nan := float32(math.NaN())
	checks := map[string]func() error{
		"insert with wrong dimensions": func() error {
			_, err := raw.vec.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "x", Vector: []float32{1, 2}})
			return err
		},
		"insert with NaN": func() error {
			_, err := raw.vec.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "x", Vector: []float32{1, nan, 2}})
			return err
		},
		"lease search with wrong dimensions": func() error {
			_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1}, K: 1})
			return err
		},
		"search with k=0": func() error {
			_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: 0})
			return err
		},
		"search with an unknown consistency": func() error {
			_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2, 3}, K: 1, Consistency: "whatever"})
			return err
		},
		"insert with a 513-byte id": func() error {
			_, err := raw.vec.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: strings.Repeat("x", 513), Vector: []float32{1, 2, 3}})
			return err
		},
		"create with unspecified distance": func() error {
			_, err := raw.vec.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 3})
			return err
		},
		"create with 4097 dimensions": func() error {
			_, err := raw.vec.CreateIndex(ctx, &norikvpb.CreateVectorIndexRequest{Namespace: ns, Dimensions: 4097, Distance: norikvpb.DistanceFunction_DISTANCE_FUNCTION_COSINE})
			return err
		},
	}
	for what, call := range checks {
		if err := call(); status.Code(err) != codes.InvalidArgument {
			t.Fatalf("follower, %s: %v, want InvalidArgument before any leadership check", what, err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func testVectorFollowerNotLeader(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	// A follower forwards vector calls to the leader, except calls another
	// node already forwarded (one hop): marked as such, they get the
	// documented NOT_LEADER with the hint.
	ctx := metadata.AppendToOutgoingContext(tctx(t), "x-norikv-forwarded-by", "test")
	const ns = "repl-redirect"
	mustCreate(t, c, ns, 2, client.DistanceEuclidean, client.IndexHNSW)
	mustInsert(t, c, ns, "a", []float32{1, 2})
	leader, followers := nsReplicas(t, cl, ns)
	raw := dialRaw(t, cl.Addr(followers[0]))
	pollUntil(t, "the follower to apply the insert", func() string {
		r, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "a", Consistency: "stale_ok"})
		if err != nil || !r.Found {
			return fmt.Sprintf("get = %v, %v", r, err)
		}
		return ""
	})
	calls := map[string]func(opt grpc.CallOption) error{
		"lease search": func(o grpc.CallOption) error {
			_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2}, K: 1}, o)
			return err
		},
		"linearizable search": func(o grpc.CallOption) error {
			_, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: []float32{1, 2}, K: 1, Consistency: "linearizable"}, o)
			return err
		},
		"lease get": func(o grpc.CallOption) error {
			_, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: "a", Consistency: "lease"}, o)
			return err
		},
		"insert": func(o grpc.CallOption) error {
			_, err := raw.vec.Insert(ctx, &norikvpb.VectorInsertRequest{Namespace: ns, Id: "b", Vector: []float32{3, 4}}, o)
			return err
		},
		"delete": func(o grpc.CallOption) error {
			_, err := raw.vec.Delete(ctx, &norikvpb.VectorDeleteRequest{Namespace: ns, Id: "a"}, o)
			return err
		},
		"drop": func(o grpc.CallOption) error {
			_, err := raw.vec.DropIndex(ctx, &norikvpb.DropVectorIndexRequest{Namespace: ns}, o)
			return err
		},
	}
	for what, call := range calls {
		var trl metadata.MD
		err := call(grpc.Trailer(&trl))
		if st := status.Convert(err); st.Code() != codes.Unavailable || st.Message() != "NOT_LEADER" {
			t.Fatalf("follower %s, %s: %v, want Unavailable NOT_LEADER", followers[0], what, err)
		}
		if hint := trl.Get("leader-hint"); len(hint) != 1 || hint[0] != cl.Addr(leader) {
			t.Fatalf("follower %s, %s: leader-hint %v, want [%s]", followers[0], what, hint, cl.Addr(leader))
		}
	}
	if got, err := c.VectorGet(ctx, ns, "a"); err != nil || !equalVec(got, []float32{1, 2}) {
		t.Fatalf("the refused follower delete/drop applied: a = %v, %v", got, err)
	}
}
