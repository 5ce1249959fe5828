package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// restartIndex is one namespace of TestVectorRestart and what it must hold.
type restartIndex struct {
	ns    string
	dist  client.DistanceFunction
	typ   client.VectorIndexType
	vecs  map[string][]float32
	want  []client.VectorMatch // k=1000 search for query, before any restart
	query []float32
}

const restartDims = 8

// TestVectorRestart checks that indexes are rebuilt after restarts: one
// namespace's shard is snapshotted (restore from snapshot plus log tail), the
// other's never is (log replay only). A follower, then the leader, then the
// whole cluster restart from their data.
func TestVectorRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	dir := t.TempDir()
	opts := cluster.Options{Nodes: 3, TotalShards: 1024, Groups: 16, DataDir: dir}
	cl, c := startClusterWith(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	snap := &restartIndex{ns: "restart-snap", dist: client.DistanceCosine, typ: client.IndexHNSW, vecs: map[string][]float32{}}
	logNS := "restart-log"
	for i := 0; cl.Layout().GroupOfShard(uint32(nsShard(logNS))) == cl.Layout().GroupOfShard(uint32(nsShard(snap.ns))); i++ {
		logNS = fmt.Sprintf("restart-log-%d", i)
	}
	replay := &restartIndex{ns: logNS, dist: client.DistanceEuclidean, typ: client.IndexBruteForce, vecs: map[string][]float32{}}
	idx := []*restartIndex{snap, replay}
	for _, r := range idx {
		mustCreate(t, c, r.ns, restartDims, r.dist, r.typ)
		for i := 0; i < 120; i++ {
			r.insert(t, c, fmt.Sprintf("v%03d", i), vecFor(i, restartDims))
		}
		for i := 0; i < 120; i += 11 { // deletes and upserts must replay in order
			id := fmt.Sprintf("v%03d", i)
			if ok, err := c.VectorDelete(ctx, r.ns, id, nil); err != nil || !ok {
				t.Fatalf("delete %s = %v, %v", id, ok, err)
			}
			delete(r.vecs, id)
			r.insert(t, c, fmt.Sprintf("v%03d", i+1), vecFor(i+500, restartDims))
		}
	}
	info, err := c.SnapshotShard(ctx, nsShard(snap.ns))
	if err != nil || info.ID != nsShard(snap.ns) {
		t.Fatalf("SnapshotShard = %+v, %v", info, err)
	}
	// The snapshot is on disk, and the other group has none (30 s interval,
	// 8192-entry threshold), so its restarts replay the log.
	snapLeader, _ := nsReplicas(t, cl, snap.ns)
	if n := snapshotFiles(cl, snapLeader, snap.ns); n == 0 {
		t.Fatalf("SnapshotShard left no snapshot on %s", snapLeader)
	}
	for _, id := range cl.NodeIDs() {
		if n := snapshotFiles(cl, id, replay.ns); n != 0 {
			t.Fatalf("%s already has %d snapshots of %s's group: the log replay case is not one", id, n, replay.ns)
		}
	}
	for _, r := range idx { // a log tail after the snapshot
		for i := 200; i < 220; i++ {
			r.insert(t, c, fmt.Sprintf("v%03d", i), vecFor(i, restartDims))
		}
	}
	idemVersion, err := c.VectorInsert(ctx, snap.ns, "idem", vecFor(999, restartDims), &client.VectorInsertOptions{IdempotencyKey: "restart-idem"})
	if err != nil {
		t.Fatal(err)
	}
	snap.vecs["idem"] = vecFor(999, restartDims)
	for _, r := range idx {
		r.query = vecFor(7, restartDims)
		res, err := c.VectorSearch(ctx, r.ns, r.query, 1000, nil)
		if err != nil {
			t.Fatalf("%s: search before restart: %v", r.ns, err)
		}
		if len(res.Matches) != len(r.vecs) {
			t.Fatalf("%s: search before restart = %d matches, want %d", r.ns, len(res.Matches), len(r.vecs))
		}
		r.want = res.Matches
	}

	// A follower, then the leader, of the snapshotted namespace restart.
	leader, followers := nsReplicas(t, cl, snap.ns)
	for _, id := range []string{followers[0], leader} {
		stopNode(t, cl, id)
		for _, r := range idx { // written while the node is down
			r.insert(t, c, "while-"+id+"-down", vecFor(len(r.vecs)+1000, restartDims))
		}
		if err := cl.RestartNode(ctx, id); err != nil {
			t.Fatal(err)
		}
		for _, r := range idx {
			r.checkNode(ctx, t, cl, id)
		}
	}

	// The whole cluster restarts from its data dir (new ports, new client).
	closeCluster(t, cl)
	cl2, c2 := startClusterWith(t, opts)
	for _, r := range idx {
		ix := listIndex(t, c2, r.ns)
		if ix.Count != uint64(len(r.vecs)) || ix.Dimensions != restartDims || ix.Distance != r.dist || ix.IndexType != r.typ || ix.Bytes == 0 {
			t.Fatalf("%s after a full restart: %+v, want %d vectors", r.ns, ix, len(r.vecs))
		}
		for id, v := range r.vecs {
			if got, err := c2.VectorGet(ctx, r.ns, id); err != nil || !equalVec(got, v) {
				t.Fatalf("%s/%s after a full restart = %v, %v; want %v", r.ns, id, got, err, v)
			}
		}
		for _, id := range cl2.NodeIDs() {
			r.checkNode(ctx, t, cl2, id)
		}
	}
	v, err := c2.VectorInsert(ctx, snap.ns, "idem", vecFor(999, restartDims), &client.VectorInsertOptions{IdempotencyKey: "restart-idem"})
	if err != nil || v != idemVersion {
		t.Fatalf("replay after a full restart = %+v, %v; want the original %+v", v, err, idemVersion)
	}
}

// snapshotFiles counts the snapshots node id holds of ns's group (the
// server's data layout: DATA/<node>/group-<g>/snapshots).
func snapshotFiles(cl *cluster.Cluster, id, ns string) int {
	g := cl.Layout().GroupOfShard(uint32(nsShard(ns)))
	entries, _ := os.ReadDir(filepath.Join(cl.DataDir(), id, "group-"+strconv.Itoa(g), "snapshots"))
	return len(entries)
}

// startClusterWith is startCluster with explicit options.
func startClusterWith(t *testing.T, opts cluster.Options) (*cluster.Cluster, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, opts)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: opts.TotalShards})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return cl, c
}

func (r *restartIndex) insert(t *testing.T, c *client.Client, id string, v []float32) {
	t.Helper()
	mustInsert(t, c, r.ns, id, v)
	r.vecs[id] = v
}

// checkNode waits until node id holds exactly r's vectors (stale_ok reads of
// its own replica), then checks each one, and that its search answer
// orders the vectors known before the restarts as the leader did then.
func (r *restartIndex) checkNode(ctx context.Context, t *testing.T, cl *cluster.Cluster, id string) {
	t.Helper()
	raw := dialRaw(t, cl.Addr(id))
	pollUntil(t, fmt.Sprintf("%s to hold the %d vectors of %s", id, len(r.vecs), r.ns), func() string {
		ix := nodeIndex(ctx, t, raw, r.ns)
		if ix == nil || ix.Count != uint64(len(r.vecs)) {
			return fmt.Sprintf("lists %v", ix)
		}
		return ""
	})
	for vid, v := range r.vecs {
		g, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: r.ns, Id: vid, Consistency: "stale_ok"})
		if err != nil || !g.Found || !equalVec(g.Vector, v) {
			t.Fatalf("node %s, %s/%s = %v, %v; want %v", id, r.ns, vid, g, err, v)
		}
	}
	res, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: r.ns, Query: r.query, K: 1000, Consistency: "stale_ok"})
	if err != nil || len(res.Matches) != len(r.vecs) {
		t.Fatalf("node %s: search of %s = %d matches, %v; want %d", id, r.ns, len(res.GetMatches()), err, len(r.vecs))
	}
	inWant := map[string]bool{}
	for _, m := range r.want {
		inWant[m.ID] = true
	}
	var all, got []client.VectorMatch
	for _, m := range res.Matches {
		all = append(all, client.VectorMatch{ID: m.Id, Distance: m.Distance})
		if inWant[m.Id] {
			got = append(got, all[len(all)-1])
		}
	}
	checkSorted(t, "node "+id+" search of "+r.ns, all)
	if !slices.EqualFunc(got, r.want, func(a, b client.VectorMatch) bool { return a.ID == b.ID && a.Distance == b.Distance }) {
		t.Fatalf("node %s: search of %s after restart = %v, before = %v", id, r.ns, matchIDs(got), matchIDs(r.want))
	}
}
