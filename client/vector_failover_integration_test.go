package client_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// testVectorLeaderChange streams 300 inserts (each with its own idempotency
// key, retried with that key until acknowledged) while the namespace's shard
// leadership is transferred and then its leader node is stopped. Every
// insert must end up present exactly once, on every replica.
func testVectorLeaderChange(t *testing.T, cl *cluster.Cluster, c *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const ns, dims, n = "stream", 8, 300
	mustCreate(t, c, ns, dims, client.DistanceEuclidean, client.IndexHNSW)
	shard := nsShard(ns)
	first, followers := nsReplicas(t, cl, ns)

	versions := make([]client.Version, n)
	var mu sync.Mutex
	acked := 0
	done := make(chan error, 1)
	// Gates keep part of the stream after each change, so the changes land
	// mid-stream: inserts 100..149 race the transfer, 200..249 the stop.
	transferred, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			gate := map[int]chan struct{}{150: transferred, 250: stopped}[i]
			if gate != nil {
				select {
				case <-gate:
				case <-ctx.Done():
					done <- ctx.Err()
					return
				}
			}
			key := &client.VectorInsertOptions{IdempotencyKey: fmt.Sprintf("stream-key-%d", i)}
			for {
				v, err := c.VectorInsert(ctx, ns, fmt.Sprintf("s%03d", i), vecFor(i, dims), key)
				if err == nil {
					mu.Lock()
					versions[i], acked = v, i+1
					mu.Unlock()
					break
				}
				if ctx.Err() != nil {
					done <- fmt.Errorf("insert %d never acknowledged: %w", i, err)
					return
				}
				time.Sleep(20 * time.Millisecond) // same key: a retry applies at most once
			}
		}
		done <- nil
	}()
	waitAcked := func(k int) {
		t.Helper()
		pollUntil(t, fmt.Sprintf("%d acknowledged inserts", k), func() string {
			mu.Lock()
			defer mu.Unlock()
			if acked < k {
				return fmt.Sprintf("%d acknowledged", acked)
			}
			return ""
		})
	}
	waitAcked(100)
	info, err := c.TransferShard(ctx, shard, followers[0])
	if err != nil || info.Leader() != followers[0] {
		t.Fatalf("TransferShard(%d -> %s) = %+v, %v", shard, followers[0], info, err)
	}
	close(transferred)
	waitAcked(200)
	second := cl.LeaderOf(uint32(shard))
	if second == "" || second == first {
		t.Fatalf("shard %d led by %q after the transfer from %s", shard, second, first)
	}
	stopNode(t, cl, second)
	close(stopped)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := cl.RestartNode(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got := cl.LeaderOf(uint32(shard)); got == "" {
		t.Fatal("no leader after the restart")
	}
	st := c.Stats().Ops["vector insert"]
	t.Logf("leaders of shard %d: %s, then %s (stopped), then %s; inserts: %d calls, %d retries, %d redirects",
		shard, first, second, cl.LeaderOf(uint32(shard)), st.Calls, st.Retries, st.Redirects)

	// Replays keep their original versions: the records survived both changes.
	for i := 0; i < n; i += 7 {
		v, err := c.VectorInsert(ctx, ns, fmt.Sprintf("s%03d", i), vecFor(i, dims), &client.VectorInsertOptions{IdempotencyKey: fmt.Sprintf("stream-key-%d", i)})
		if err != nil || v != versions[i] {
			t.Fatalf("replay of insert %d = %+v, %v; want the acknowledged %+v", i, v, err, versions[i])
		}
	}
	if ix := listIndex(t, c, ns); ix.Count != n {
		t.Fatalf("count %d, want %d", ix.Count, n)
	}
	q := vecFor(150, dims)
	want, err := c.VectorSearch(ctx, ns, q, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Matches) != n {
		t.Fatalf("k=1000 search returned %d matches, want %d", len(want.Matches), n)
	}
	checkSorted(t, "search after the leader changes", want.Matches)
	for _, id := range cl.NodeIDs() {
		raw := dialRaw(t, cl.Addr(id))
		pollUntil(t, id+" to hold all "+fmt.Sprint(n)+" vectors", func() string {
			ix := nodeIndex(ctx, t, raw, ns)
			if ix == nil || ix.Count != n {
				return fmt.Sprintf("lists %v", ix)
			}
			return ""
		})
		for i := 0; i < n; i++ {
			r, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: fmt.Sprintf("s%03d", i), Consistency: "stale_ok"})
			if err != nil || !r.Found || !equalVec(r.Vector, vecFor(i, dims)) {
				t.Fatalf("node %s, vector s%03d = %v, %v", id, i, r, err)
			}
		}
		r, err := raw.vec.Search(ctx, &norikvpb.VectorSearchRequest{Namespace: ns, Query: q, K: 1000, Consistency: "stale_ok"})
		if err != nil || len(r.Matches) != n {
			t.Fatalf("node %s: stale search = %d matches, %v", id, len(r.GetMatches()), err)
		}
		var ids []string
		for _, m := range r.Matches {
			ids = append(ids, m.Id)
		}
		if !slices.Equal(ids, matchIDs(want.Matches)) {
			t.Fatalf("node %s orders the %d vectors differently from the leader", id, n)
		}
	}
}
