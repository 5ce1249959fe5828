package client

import (
	"fmt"
	"testing"
)

// TestVectorInsertManyFallsBackWithoutBatch: against a norikv.v1-only
// server (no console extension: VectorInsertBatch is UNIMPLEMENTED) the
// bulk loader inserts one by one, and asks for batches only once per client.
func TestVectorInsertManyFallsBackWithoutBatch(t *testing.T) {
	f := startFake(t, fakeServices{vector: true})
	c := newTestClient(t, false, f.addr)
	ctx := ctxT(t)
	items := make([]VectorItem, 50)
	for i := range items {
		items[i] = VectorItem{ID: fmt.Sprintf("f%02d", i), Vector: []float32{float32(i), 1}}
	}
	for round, want := range []int{50, 100} {
		n, err := c.VectorInsertMany(ctx, "ns", items, 4)
		if err != nil || n != len(items) {
			t.Fatalf("round %d: VectorInsertMany = %d, %v; want %d, nil", round, n, err, len(items))
		}
		f.mu.Lock()
		got := len(f.vecMD)
		f.mu.Unlock()
		if got != want {
			t.Fatalf("round %d: the server got %d single inserts, want %d", round, got, want)
		}
	}
	if u := c.Stats().Requests.ErrorsByCode["Unimplemented"]; u != 1 {
		t.Fatalf("%d UNIMPLEMENTED answers, want 1 (the client must remember the server has no batches)", u)
	}
}

func TestSplitBatches(t *testing.T) {
	items := make([]VectorItem, 2*BulkBatchItems+3)
	for i := range items {
		items[i] = VectorItem{ID: "x", Vector: make([]float32, 4)}
	}
	spans := splitBatches(items)
	if len(spans) != 3 || spans[0] != (batchSpan{0, BulkBatchItems}) || spans[2] != (batchSpan{2 * BulkBatchItems, len(items)}) {
		t.Fatalf("spans %v", spans)
	}
	big := []VectorItem{{ID: "a", Vector: make([]float32, 4096)}, {ID: "b", Vector: make([]float32, 4096)}}
	for len(big) < 100 {
		big = append(big, big[0])
	}
	for _, sp := range splitBatches(big) {
		size := 0
		for _, it := range big[sp.lo:sp.hi] {
			size += len(it.ID) + 4*len(it.Vector)
		}
		if size > BulkBatchBytes {
			t.Fatalf("span %v holds %d bytes, over %d", sp, size, BulkBatchBytes)
		}
	}
}
