package client_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// distTol is the tolerance of a server distance against a hand-computed one
// (float32 arithmetic on the server, float64 here).
const distTol = 1e-5

// rawNode is a plain gRPC connection to one node, for requests the client
// would redirect, validate itself, or route elsewhere.
type rawNode struct {
	vec     norikvpb.VectorClient
	console consolepb.ConsoleClient
}

// dialRaw connects to addr; the connection is closed at test end.
func dialRaw(t testing.TB, addr string) rawNode {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return rawNode{vec: norikvpb.NewVectorClient(cc), console: consolepb.NewConsoleClient(cc)}
}

// pinnedClient is a client that only knows addr and never watches the
// topology, so a stale_ok read it sends is answered by that node.
func pinnedClient(t testing.TB, addr string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: 1024, DisableWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// nsShard is the shard holding namespace ns (routed like a key).
func nsShard(ns string) int { return client.ShardForKey([]byte(ns), 1024) }

// nsReplicas returns the leader of ns's shard and its other replicas.
func nsReplicas(t testing.TB, cl *cluster.Cluster, ns string) (leader string, followers []string) {
	t.Helper()
	shard := uint32(nsShard(ns))
	deadline := time.Now().Add(10 * time.Second)
	for leader = cl.LeaderOf(shard); leader == ""; leader = cl.LeaderOf(shard) {
		if time.Now().After(deadline) {
			t.Fatalf("shard %d of namespace %s has no leader", shard, ns)
		}
		time.Sleep(10 * time.Millisecond)
	}
	l := cl.Layout()
	for _, n := range l.Replicas(l.GroupOfShard(shard)) {
		if n.ID != leader {
			followers = append(followers, n.ID)
		}
	}
	if len(followers) == 0 {
		t.Fatalf("shard %d has no follower", shard)
	}
	return leader, followers
}

// mustCreate creates an index that must not exist yet.
func mustCreate(t testing.TB, c *client.Client, ns string, dims int, d client.DistanceFunction, typ client.VectorIndexType) {
	t.Helper()
	created, err := c.VectorCreateIndex(tctx(t), ns, dims, d, typ, nil)
	if err != nil || !created {
		t.Fatalf("VectorCreateIndex(%s, %d, %s, %s) = %v, %v; want created", ns, dims, d, typ, created, err)
	}
}

// mustInsert upserts one vector.
func mustInsert(t testing.TB, c *client.Client, ns, id string, v []float32) client.Version {
	t.Helper()
	ver, err := c.VectorInsert(tctx(t), ns, id, v, nil)
	if err != nil {
		t.Fatalf("VectorInsert(%s, %s): %v", ns, id, err)
	}
	if ver.IsZero() {
		t.Fatalf("VectorInsert(%s, %s) returned a zero version", ns, id)
	}
	return ver
}

// searchIDs runs a search and returns the ids in answer order.
func searchIDs(t testing.TB, c *client.Client, ns string, q []float32, k int, opts *client.VectorSearchOptions) []string {
	t.Helper()
	res, err := c.VectorSearch(tctx(t), ns, q, k, opts)
	if err != nil {
		t.Fatalf("VectorSearch(%s, k=%d): %v", ns, k, err)
	}
	return matchIDs(res.Matches)
}

func matchIDs(ms []client.VectorMatch) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// checkSorted fails unless ms is sorted by ascending distance, ties by id,
// with no id twice.
func checkSorted(t testing.TB, what string, ms []client.VectorMatch) {
	t.Helper()
	seen := map[string]bool{}
	for i, m := range ms {
		if seen[m.ID] {
			t.Fatalf("%s: id %s appears twice in %v", what, m.ID, matchIDs(ms))
		}
		seen[m.ID] = true
		if i == 0 {
			continue
		}
		p := ms[i-1]
		if m.Distance < p.Distance || (m.Distance == p.Distance && m.ID < p.ID) {
			t.Fatalf("%s: match %d (%s, %g) sorts before match %d (%s, %g)", what, i, m.ID, m.Distance, i-1, p.ID, p.Distance)
		}
	}
}

// Hand-computed distances of PROTOCOL.md §4, in float64.
func euclidean(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func cosine(a, b []float32) float64 {
	na, nb := math.Sqrt(dot(a, a)), math.Sqrt(dot(b, b))
	if na == 0 || nb == 0 {
		return 1
	}
	return 1 - dot(a, b)/(na*nb)
}

func innerProduct(a, b []float32) float64 { return -dot(a, b) }

func distanceFn(d client.DistanceFunction) func(a, b []float32) float64 {
	switch d {
	case client.DistanceEuclidean:
		return euclidean
	case client.DistanceCosine:
		return cosine
	case client.DistanceInnerProduct:
		return innerProduct
	}
	panic(fmt.Sprintf("no distance %d", d))
}

// near reports whether got is within distTol of want (relative for large values).
func near(got float32, want float64) bool {
	return math.Abs(float64(got)-want) <= distTol*math.Max(1, math.Abs(want))
}

// exactOrder returns the ids of vecs sorted by distance to q, ties by id.
func exactOrder(vecs map[string][]float32, q []float32, dist func(a, b []float32) float64) []string {
	ids := make([]string, 0, len(vecs))
	for id := range vecs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		di, dj := dist(q, vecs[ids[i]]), dist(q, vecs[ids[j]])
		if di != dj {
			return di < dj
		}
		return ids[i] < ids[j]
	})
	return ids
}

func equalVec(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantCode fails unless err is a client *Error with code (and, when
// msgPart is not empty, a message containing it).
func wantCode(t testing.TB, what string, err error, code codes.Code, msgPart string) {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v, want a *client.Error with code %s", what, err, code)
	}
	if e.Code != code {
		t.Fatalf("%s: code %s (%v), want %s", what, e.Code, err, code)
	}
	if msgPart != "" && !strings.Contains(e.Message, msgPart) {
		t.Fatalf("%s: message %q does not contain %q", what, e.Message, msgPart)
	}
}

// listIndex returns the client's merged ListVectorIndexes entry for ns.
func listIndex(t testing.TB, c *client.Client, ns string) client.VectorIndexInfo {
	t.Helper()
	all, err := c.ListVectorIndexes(tctx(t))
	if err != nil {
		t.Fatalf("ListVectorIndexes: %v", err)
	}
	for _, ix := range all {
		if ix.Namespace == ns {
			return ix
		}
	}
	t.Fatalf("ListVectorIndexes has no %s: %+v", ns, all)
	return client.VectorIndexInfo{}
}

// nodeIndex returns node's own ListVectorIndexes entry for ns (nil if absent).
func nodeIndex(ctx context.Context, t testing.TB, n rawNode, ns string) *consolepb.VectorIndexInfo {
	t.Helper()
	resp, err := n.console.ListVectorIndexes(ctx, &consolepb.ListVectorIndexesRequest{Consistency: "stale_ok"})
	if err != nil {
		t.Fatalf("ListVectorIndexes: %v", err)
	}
	for _, ix := range resp.GetIndexes() {
		if ix.GetNamespace() == ns {
			return ix
		}
	}
	return nil
}

// pollUntil retries cond every 10ms until it returns "" or 10s pass, then
// fails with its last explanation.
func pollUntil(t testing.TB, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		why := cond()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, why)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// vecFor is a deterministic, distinct vector for index i (dims values).
func vecFor(i, dims int) []float32 {
	v := make([]float32, dims)
	for j := range v {
		v[j] = float32((i*7+j*13)%97)/97 - 0.5 + float32(i)*1e-3
	}
	return v
}
