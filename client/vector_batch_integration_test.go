package client_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestVectorInsertManyBatchesAcrossLeaderChanges: a bulk load goes out in
// batches (one request and one log entry per batch), keeps going while the
// namespace's leadership is transferred and the new leader is stopped,
// and ends with every item on every replica exactly once.
func TestVectorInsertManyBatchesAcrossLeaderChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	cl, c := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	const ns, dims, loads, per = "batch-load", 16, 20, 200
	mustCreate(t, c, ns, dims, client.DistanceEuclidean, client.IndexHNSW)
	items := make([]client.VectorItem, loads*per)
	for i := range items {
		items[i] = client.VectorItem{ID: fmt.Sprintf("l%05d", i), Vector: vecFor(i, dims)}
	}
	// Loads of 200 items run back to back while the main goroutine moves
	// the leader; each retried until it succeeds (batches carry their own
	// idempotency keys, and a repeated load only upserts the same vectors).
	// The loader cycles over the loads until told to stop (and has done
	// each at least once), so the leader changes below always happen
	// mid-load however fast the machine is.
	var loaded atomic.Int64
	done := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		for l := 0; ; l++ {
			if l >= loads {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
			}
			part := items[(l%loads)*per : (l%loads+1)*per]
			for {
				n, err := c.VectorInsertMany(ctx, ns, part, 4)
				if err == nil && n == per {
					break
				}
				if ctx.Err() != nil {
					done <- fmt.Errorf("load %d never finished: %d, %w", l, n, err)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			loaded.Add(1)
		}
	}()
	waitLoads := func(k int64) {
		t.Helper()
		// HNSW inserts under -race on a shared machine: a load can take
		// seconds, so this waits longer than pollUntil.
		for deadline := time.Now().Add(60 * time.Second); loaded.Load() < k; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %d loads: %d done", k, loaded.Load())
			}
		}
	}
	shard := nsShard(ns)
	first, followers := nsReplicas(t, cl, ns)
	waitLoads(4)
	if info, err := c.TransferShard(ctx, shard, followers[0]); err != nil || info.Leader() != followers[0] {
		t.Fatalf("TransferShard(%d -> %s) = %+v, %v", shard, followers[0], info, err)
	}
	atTransfer := loaded.Load()
	waitLoads(atTransfer + 3)
	second := cl.LeaderOf(uint32(shard))
	stopNode(t, cl, second)
	atStop := loaded.Load()
	waitLoads(atStop + 3)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := cl.RestartNode(ctx, second); err != nil {
		t.Fatal(err)
	}
	st := c.Stats().Ops["vector insert"]
	t.Logf("leader %s, transfer to %s after load %d, stopped %s after load %d; %d requests (%d retries, %d redirects) for %d items",
		first, followers[0], atTransfer, second, atStop, st.Calls, st.Retries, st.Redirects, len(items))
	// One request per batch of up to 256 items: 1 a load, not 200.
	if total := loaded.Load(); st.Calls > 4*uint64(total) {
		t.Fatalf("%d insert requests for %d loads of %d items: not batched", st.Calls, total, per)
	}
	for _, id := range cl.NodeIDs() {
		raw := dialRaw(t, cl.Addr(id))
		// A restarted node re-applies its log (HNSW inserts, slow under
		// -race on a busy machine), so it gets more than pollUntil's 10s.
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			ix := nodeIndex(ctx, t, raw, ns)
			if ix != nil && ix.Count == uint64(len(items)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s never held all %d vectors: lists %v", id, len(items), ix)
			}
		}
		for i := 0; i < len(items); i += 97 {
			r, err := raw.vec.Get(ctx, &norikvpb.VectorGetRequest{Namespace: ns, Id: items[i].ID, Consistency: "stale_ok"})
			if err != nil || !r.Found || !equalVec(r.Vector, items[i].Vector) {
				t.Fatalf("node %s, vector %s = %v, %v", id, items[i].ID, r, err)
			}
		}
	}
}
