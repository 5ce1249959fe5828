package client_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
)

var indexTypes = []client.VectorIndexType{client.IndexBruteForce, client.IndexHNSW}

// TestVectorAPI covers every Vector RPC through the client against one
// embedded 3-node cluster: lifecycle, distances, ordering, upsert, deletes,
// bad input, idempotency and ListVectorIndexes.
func TestVectorAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	cl, c := startCluster(t)

	t.Run("Lifecycle", func(t *testing.T) { testVectorLifecycle(t, c) })
	t.Run("Definitions", func(t *testing.T) { testVectorDefinitions(t, c) })
	t.Run("Distances", func(t *testing.T) { testVectorDistances(t, c) })
	t.Run("OrderingAndTies", func(t *testing.T) { testVectorOrdering(t, c) })
	t.Run("Upsert", func(t *testing.T) { testVectorUpsert(t, c) })
	t.Run("DeletedAbsent", func(t *testing.T) { testVectorDeleted(t, c) })
	t.Run("InvalidInput", func(t *testing.T) { testVectorInvalid(t, cl, c) })
	t.Run("MissingNamespace", func(t *testing.T) { testVectorMissing(t, c) })
	t.Run("Idempotency", func(t *testing.T) { testVectorIdempotency(t, c) })
	t.Run("ListVectorIndexes", func(t *testing.T) { testVectorList(t, cl, c) })
	t.Run("LargeReply", func(t *testing.T) { testVectorLargeReply(t, c) })
	t.Run("InsertMany", func(t *testing.T) { testVectorInsertMany(t, c) })
}

func testVectorLifecycle(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	const ns = "life"
	mustCreate(t, c, ns, 3, client.DistanceEuclidean, client.IndexBruteForce)
	if again, err := c.VectorCreateIndex(ctx, ns, 3, client.DistanceEuclidean, client.IndexBruteForce, nil); err != nil || again {
		t.Fatalf("identical second create = %v, %v; want false, nil", again, err)
	}
	for _, d := range []struct {
		dims int
		dist client.DistanceFunction
		typ  client.VectorIndexType
	}{{4, client.DistanceEuclidean, client.IndexBruteForce}, {3, client.DistanceCosine, client.IndexBruteForce}, {3, client.DistanceEuclidean, client.IndexHNSW}} {
		_, err := c.VectorCreateIndex(ctx, ns, d.dims, d.dist, d.typ, nil)
		if !errors.Is(err, client.ErrAlreadyExists) {
			t.Fatalf("create %s as %d/%s/%s: %v, want ErrAlreadyExists", ns, d.dims, d.dist, d.typ, err)
		}
	}
	vecs := map[string][]float32{"a": {1, 0, 0}, "b": {0, 2, 0}, "c": {0.5, 0.5, 0}}
	for _, id := range []string{"a", "b", "c"} {
		mustInsert(t, c, ns, id, vecs[id])
	}
	res, err := c.VectorSearch(ctx, ns, []float32{1, 0, 0}, 2, &client.VectorSearchOptions{IncludeVectors: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := matchIDs(res.Matches); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("search ids %v, want [a c]", got)
	}
	if !equalVec(res.Matches[0].Vector, vecs["a"]) || !equalVec(res.Matches[1].Vector, vecs["c"]) {
		t.Fatalf("IncludeVectors returned %v and %v", res.Matches[0].Vector, res.Matches[1].Vector)
	}
	if !near(res.Matches[0].Distance, 0) || !near(res.Matches[1].Distance, euclidean(vecs["c"], vecs["a"])) {
		t.Fatalf("distances %v, %v", res.Matches[0].Distance, res.Matches[1].Distance)
	}
	res, err = c.VectorSearch(ctx, ns, []float32{1, 0, 0}, 2, nil)
	if err != nil || len(res.Matches) != 2 || res.Matches[0].Vector != nil {
		t.Fatalf("search without IncludeVectors = %+v, %v; want 2 matches without vectors", res, err)
	}
	for id, want := range vecs {
		if got, err := c.VectorGet(ctx, ns, id); err != nil || !equalVec(got, want) {
			t.Fatalf("VectorGet(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	if got, err := c.VectorGet(ctx, ns, "absent"); err != nil || got != nil {
		t.Fatalf("VectorGet(absent) = %v, %v; want nil, nil", got, err)
	}
	if ok, err := c.VectorDelete(ctx, ns, "a", nil); err != nil || !ok {
		t.Fatalf("VectorDelete(a) = %v, %v; want true", ok, err)
	}
	if ok, err := c.VectorDelete(ctx, ns, "a", nil); err != nil || ok {
		t.Fatalf("second VectorDelete(a) = %v, %v; want false", ok, err)
	}
	if got := searchIDs(t, c, ns, []float32{1, 0, 0}, 10, nil); !slices.Equal(got, []string{"c", "b"}) {
		t.Fatalf("search after delete %v, want [c b]", got)
	}
	if ok, err := c.VectorDropIndex(ctx, ns, nil); err != nil || !ok {
		t.Fatalf("VectorDropIndex = %v, %v; want true", ok, err)
	}
	if ok, err := c.VectorDropIndex(ctx, ns, nil); err != nil || ok {
		t.Fatalf("second VectorDropIndex = %v, %v; want false", ok, err)
	}
	if _, err := c.VectorSearch(ctx, ns, []float32{1, 0, 0}, 1, nil); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("search of a dropped index: %v, want ErrKeyNotFound", err)
	}
	// A new index under the same name starts empty, with its new definition.
	mustCreate(t, c, ns, 2, client.DistanceCosine, client.IndexHNSW)
	if got, err := c.VectorGet(ctx, ns, "b"); err != nil || got != nil {
		t.Fatalf("VectorGet(b) in the re-created index = %v, %v; want nil, nil", got, err)
	}
	if got := searchIDs(t, c, ns, []float32{1, 0}, 10, nil); len(got) != 0 {
		t.Fatalf("search of the re-created index = %v, want none", got)
	}
	if ix := listIndex(t, c, ns); ix.Count != 0 || ix.Dimensions != 2 || ix.Distance != client.DistanceCosine {
		t.Fatalf("re-created index = %+v", ix)
	}
}

func testVectorDefinitions(t *testing.T, c *client.Client) {
	ctx := tctx(t)
	_, err := c.VectorCreateIndex(ctx, "def-nodist", 3, client.DistanceUnspecified, client.IndexBruteForce, nil)
	wantCode(t, "create with unspecified distance", err, codes.InvalidArgument, "")
	if _, err := c.VectorInsert(ctx, "def-nodist", "x", []float32{1, 2, 3}, nil); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("the refused create left an index behind: insert = %v", err)
	}
	mustCreate(t, c, "def-notype", 3, client.DistanceCosine, client.IndexUnspecified)
	if ix := listIndex(t, c, "def-notype"); ix.IndexType != client.IndexHNSW {
		t.Fatalf("unspecified index type became %s, want hnsw", ix.IndexType)
	}
	_, err = c.VectorCreateIndex(ctx, "def-dims", 4097, client.DistanceCosine, client.IndexBruteForce, nil)
	wantCode(t, "create with 4097 dimensions", err, codes.InvalidArgument, "4096")
	// The limits themselves are allowed.
	big := make([]float32, 4096)
	big[4095] = 1
	mustCreate(t, c, strings.Repeat("n", 256), 4096, client.DistanceInnerProduct, client.IndexBruteForce)
	mustInsert(t, c, strings.Repeat("n", 256), "big", big)
	if got, err := c.VectorGet(ctx, strings.Repeat("n", 256), "big"); err != nil || !equalVec(got, big) {
		t.Fatalf("get of a 4096-dimension vector = %d values, %v", len(got), err)
	}
	_, err = c.VectorCreateIndex(ctx, strings.Repeat("n", 257), 3, client.DistanceCosine, client.IndexBruteForce, nil)
	wantCode(t, "create with a 257-byte namespace", err, codes.InvalidArgument, "256")
}

func testVectorDistances(t *testing.T, c *client.Client) {
	vecs := map[string][]float32{
		"p1":   {1, 2, 3, 4},
		"p2":   {-1, 0.5, 2, -3},
		"p3":   {0.25, -0.75, 1.5, 0},
		"p4":   {10, -4, 0.5, 7},
		"p5":   {-2.5, -2.5, 1, 1},
		"p6":   {0.1, 0.2, 0.3, 0.45},
		"zero": {0, 0, 0, 0},
	}
	queries := [][]float32{{1, 1, 1, 1}, {-3, 0.5, 2, 8}, {0.3, -0.2, 0.9, -1.1}, {0, 0, 0, 0}}
	for _, typ := range indexTypes {
		for _, dist := range []client.DistanceFunction{client.DistanceEuclidean, client.DistanceCosine, client.DistanceInnerProduct} {
			t.Run(typ.String()+"/"+dist.String(), func(t *testing.T) {
				ns := "dist-" + typ.String() + "-" + dist.String()
				mustCreate(t, c, ns, 4, dist, typ)
				for id, v := range vecs {
					mustInsert(t, c, ns, id, v)
				}
				fn := distanceFn(dist)
				for qi, q := range queries {
					res, err := c.VectorSearch(tctx(t), ns, q, len(vecs), &client.VectorSearchOptions{IncludeVectors: true})
					if err != nil {
						t.Fatalf("query %d: %v", qi, err)
					}
					if len(res.Matches) != len(vecs) {
						t.Fatalf("query %d: %d matches, want %d", qi, len(res.Matches), len(vecs))
					}
					checkSorted(t, fmt.Sprintf("query %d", qi), res.Matches)
					for _, m := range res.Matches {
						want := fn(q, vecs[m.ID])
						if !near(m.Distance, want) {
							t.Fatalf("query %d %v, id %s %v: distance %.7g, want %.7g", qi, q, m.ID, vecs[m.ID], m.Distance, want)
						}
						if !equalVec(m.Vector, vecs[m.ID]) {
							t.Fatalf("query %d: id %s came back as %v, want %v", qi, m.ID, m.Vector, vecs[m.ID])
						}
					}
					// k=3 returns the 3 nearest: same distances as the
					// hand-computed top 3 (near ties may swap ids).
					top, err := c.VectorSearch(tctx(t), ns, q, 3, nil)
					if err != nil || len(top.Matches) != 3 {
						t.Fatalf("query %d, k=3: %+v, %v", qi, top, err)
					}
					for i, id := range exactOrder(vecs, q, fn)[:3] {
						if !near(top.Matches[i].Distance, fn(q, vecs[id])) {
							t.Fatalf("query %d: k=3 answer %v, want %v", qi, matchIDs(top.Matches), exactOrder(vecs, q, fn)[:3])
						}
					}
				}
			})
		}
	}
}

func testVectorOrdering(t *testing.T, c *client.Client) {
	for _, typ := range indexTypes {
		t.Run(typ.String(), func(t *testing.T) {
			ns := "order-" + typ.String()
			mustCreate(t, c, ns, 3, client.DistanceEuclidean, typ)
			// Five ids at distance 1 from the origin, inserted out of order,
			// between a nearer and a farther one.
			unit := map[string][]float32{"e": {1, 0, 0}, "b": {0, 1, 0}, "d": {0, 0, 1}, "a": {-1, 0, 0}, "c": {0, -1, 0}}
			for _, id := range []string{"e", "b", "d", "y", "a", "z", "c"} {
				switch id {
				case "y":
					mustInsert(t, c, ns, id, []float32{0, 0, 2})
				case "z":
					mustInsert(t, c, ns, id, []float32{0, 0.5, 0})
				default:
					mustInsert(t, c, ns, id, unit[id])
				}
			}
			origin := []float32{0, 0, 0}
			res, err := c.VectorSearch(tctx(t), ns, origin, 7, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := matchIDs(res.Matches), []string{"z", "a", "b", "c", "d", "e", "y"}; !slices.Equal(got, want) {
				t.Fatalf("order %v, want %v", got, want)
			}
			wantDist := []float64{0.5, 1, 1, 1, 1, 1, 2}
			for i, m := range res.Matches {
				if !near(m.Distance, wantDist[i]) {
					t.Fatalf("match %d (%s) distance %v, want %v", i, m.ID, m.Distance, wantDist[i])
				}
			}
			if got := searchIDs(t, c, ns, origin, 3, nil); !slices.Equal(got, []string{"z", "a", "b"}) {
				t.Fatalf("k=3 across a tie: %v, want [z a b]", got)
			}
			// Cosine with a zero query: every distance is 1, so ids decide.
			cns := "order-zero-" + typ.String()
			mustCreate(t, c, cns, 2, client.DistanceCosine, typ)
			for _, id := range []string{"k3", "k1", "k4", "k0", "k2"} {
				mustInsert(t, c, cns, id, []float32{float32(len(id)), float32(id[1] - '0')})
			}
			zres, err := c.VectorSearch(tctx(t), cns, []float32{0, 0}, 5, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := matchIDs(zres.Matches); !slices.Equal(got, []string{"k0", "k1", "k2", "k3", "k4"}) {
				t.Fatalf("zero-query cosine order %v, want by id", got)
			}
			for _, m := range zres.Matches {
				if !near(m.Distance, 1) {
					t.Fatalf("zero-query cosine distance of %s = %v, want 1", m.ID, m.Distance)
				}
			}
		})
	}
}

func testVectorUpsert(t *testing.T, c *client.Client) {
	for _, typ := range indexTypes {
		t.Run(typ.String(), func(t *testing.T) {
			ctx := tctx(t)
			ns := "upsert-" + typ.String()
			mustCreate(t, c, ns, 3, client.DistanceEuclidean, typ)
			v1, v2 := []float32{1, 1, 1}, []float32{-4, 0, 2}
			mustInsert(t, c, ns, "other", []float32{5, 5, 5})
			ver1 := mustInsert(t, c, ns, "x", v1)
			ver2 := mustInsert(t, c, ns, "x", v2)
			if ver2.Term < ver1.Term || (ver2.Term == ver1.Term && ver2.Index <= ver1.Index) {
				t.Fatalf("second insert version %+v not after the first %+v", ver2, ver1)
			}
			if got, err := c.VectorGet(ctx, ns, "x"); err != nil || !equalVec(got, v2) {
				t.Fatalf("VectorGet(x) = %v, %v; want the second vector %v", got, err, v2)
			}
			res, err := c.VectorSearch(ctx, ns, v1, 10, &client.VectorSearchOptions{IncludeVectors: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Matches) != 2 {
				t.Fatalf("search returned %v, want x once and other", matchIDs(res.Matches))
			}
			for _, m := range res.Matches {
				if m.ID == "x" && (!near(m.Distance, euclidean(v1, v2)) || !equalVec(m.Vector, v2)) {
					t.Fatalf("x matched at %v with %v: the old vector is still indexed", m.Distance, m.Vector)
				}
			}
			if got := searchIDs(t, c, ns, v2, 1, nil); !slices.Equal(got, []string{"x"}) {
				t.Fatalf("nearest to the new vector = %v, want x", got)
			}
			if ix := listIndex(t, c, ns); ix.Count != 2 {
				t.Fatalf("count after upsert = %d, want 2", ix.Count)
			}
		})
	}
}

func testVectorDeleted(t *testing.T, c *client.Client) {
	for _, typ := range indexTypes {
		t.Run(typ.String(), func(t *testing.T) {
			ctx := tctx(t)
			ns := "deleted-" + typ.String()
			const n, dims = 60, 8
			mustCreate(t, c, ns, dims, client.DistanceEuclidean, typ)
			live := map[string][]float32{}
			for i := 0; i < n; i++ {
				id := fmt.Sprintf("v%02d", i)
				live[id] = vecFor(i, dims)
				mustInsert(t, c, ns, id, live[id])
			}
			deleted := map[string][]float32{}
			for i := 0; i < n; i += 3 {
				id := fmt.Sprintf("v%02d", i)
				if ok, err := c.VectorDelete(ctx, ns, id, nil); err != nil || !ok {
					t.Fatalf("VectorDelete(%s) = %v, %v", id, ok, err)
				}
				deleted[id] = live[id]
				delete(live, id)
			}
			for id, v := range deleted {
				if ok, err := c.VectorDelete(ctx, ns, id, nil); err != nil || ok {
					t.Fatalf("second VectorDelete(%s) = %v, %v; want false", id, ok, err)
				}
				if got, err := c.VectorGet(ctx, ns, id); err != nil || got != nil {
					t.Fatalf("VectorGet(deleted %s) = %v, %v", id, got, err)
				}
				// Searching exactly at a deleted vector must not return it.
				res, err := c.VectorSearch(ctx, ns, v, 1000, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Matches) != len(live) {
					t.Fatalf("k=1000 search returned %d matches, want the %d live vectors", len(res.Matches), len(live))
				}
				for _, m := range res.Matches {
					if _, dead := deleted[m.ID]; dead {
						t.Fatalf("deleted id %s returned by a search", m.ID)
					}
				}
				if top := res.Matches[0].ID; top != exactOrder(live, v, euclidean)[0] {
					t.Fatalf("nearest live vector to deleted %s = %s, want %s", id, top, exactOrder(live, v, euclidean)[0])
				}
			}
			if ix := listIndex(t, c, ns); ix.Count != uint64(len(live)) {
				t.Fatalf("count %d, want %d", ix.Count, len(live))
			}
			// A deleted id inserted again is back.
			mustInsert(t, c, ns, "v00", deleted["v00"])
			if got := searchIDs(t, c, ns, deleted["v00"], 1, nil); !slices.Equal(got, []string{"v00"}) {
				t.Fatalf("re-inserted v00 not found: %v", got)
			}
		})
	}
}
