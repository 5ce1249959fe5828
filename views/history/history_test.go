package history

import (
	"fmt"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// The history keeps the newest views, rebuilds each exactly, and its memory
// stays small and bounded: replica sets are interned across epochs.
func TestBoundedCompactAndExact(t *testing.T) {
	h := New(10)
	v := uitest.View(1, 5, 4096, 64)
	for i := 0; i < 25; i++ {
		nv, _ := uitest.MoveGroup(v, 64, i%64, v.Nodes[(i+1)%3].ID)
		v = nv
		h.Add(t0.Add(time.Duration(i)*time.Second), v)
	}
	if h.Len() != 10 || h.Dropped() != 15 {
		t.Fatalf("len %d dropped %d, want 10 and 15", h.Len(), h.Dropped())
	}
	if _, _, ok := h.Find(v.Epoch-10, time.Time{}); ok {
		t.Fatal("found an epoch older than the 10 kept")
	}
	got, at, ok := h.Find(v.Epoch, time.Time{})
	if !ok || !at.Equal(t0.Add(24*time.Second)) || len(got.Shards) != 4096 || len(got.Nodes) != 5 {
		t.Fatalf("newest: ok %v at %v", ok, at)
	}
	for i, s := range got.Shards {
		if s.Leader() != v.Shards[i].Leader() || len(s.Replicas) != len(v.Shards[i].Replicas) {
			t.Fatalf("shard %d rebuilt as %+v, was %+v", i, s, v.Shards[i])
		}
	}
	// 10 views of 4096 shards: ~16 KiB each plus the interned sets, not
	// the ~100 KiB a copied view would take.
	if b := h.Bytes(); b <= 0 || b > 10*20<<10+64<<10 {
		t.Fatalf("history holds %d bytes for 10 views of 4096 shards", b)
	}
	h.Reset()
	if h.Len() != 0 || h.Bytes() != 0 {
		t.Fatalf("reset left %d views, %d bytes", h.Len(), h.Bytes())
	}
}

// Epochs repeat after the cluster was replaced: the time picks the view.
func TestFindByEpochAndTime(t *testing.T) {
	h := New(MaxEpochs)
	a, b := uitest.View(3, 3, 64, 4), uitest.View(3, 5, 64, 4)
	h.Add(t0, a)
	h.Add(t0.Add(time.Minute), b)
	if v, _, _ := h.Find(3, t0); len(v.Nodes) != 3 {
		t.Fatalf("epoch 3 at t0 has %d nodes, want the first cluster's 3", len(v.Nodes))
	}
	if v, _, _ := h.Find(3, time.Time{}); len(v.Nodes) != 5 {
		t.Fatalf("newest epoch 3 has %d nodes, want 5", len(v.Nodes))
	}
}

// Replica sets only dropped views used are let go: the interned table stays
// bounded through endless churn (here every view has new node ids), and the
// kept views rebuild exactly.
func TestInternedSetsStayBounded(t *testing.T) {
	h := New(3)
	h.maxSets = 20
	var v *client.ClusterView
	for i := 0; i < 200; i++ {
		v = uitest.View(uint64(i+1), 5, 64, 4)
		for s := range v.Shards {
			for r := range v.Shards[s].Replicas {
				v.Shards[s].Replicas[r].NodeID += fmt.Sprintf("-%d", i)
			}
		}
		h.Add(t0.Add(time.Duration(i)*time.Second), v)
		if len(h.sets) > h.maxSets {
			t.Fatalf("after %d views: %d interned sets, bound %d", i+1, len(h.sets), h.maxSets)
		}
	}
	got, _, ok := h.Find(v.Epoch, time.Time{})
	if !ok {
		t.Fatal("newest view lost")
	}
	for i, s := range got.Shards {
		if s.Leader() != v.Shards[i].Leader() {
			t.Fatalf("shard %d leader %q after compaction, want %q", i, s.Leader(), v.Shards[i].Leader())
		}
	}
}
