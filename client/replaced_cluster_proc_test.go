//go:build unix

package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// TestRestartedClusterIsReplaced: a dev cluster restarted without its data
// (same addresses, new cluster id, epochs from the start again). The client
// drops its view and leader cache, emits a TopologyEvent with Replaced set
// and the new id, and works against the new cluster. The old client ignored
// every lower epoch and kept a frozen view.
func TestRestartedClusterIsReplaced(t *testing.T) {
	pc, c := procClient(t)
	var (
		mu     sync.Mutex
		events []client.TopologyEvent
	)
	unsub := c.OnTopologyChange(func(ev client.TopologyEvent) {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	})
	defer unsub()
	oldID := c.Stats().Topology.ClusterID
	if oldID == "" {
		t.Fatalf("no cluster id after Connect (the server sends %s)", "x-norikv-cluster-id")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, []byte("old-cluster-key"), []byte("v"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	oldEpoch := settle(t, pc, c)
	if oldEpoch == 0 {
		t.Fatalf("old cluster still at epoch 0 after settling")
	}

	pc.WipeAndRestartAll(t)
	restarted := time.Now()

	var replaced client.TopologyEvent
	for found := false; !found; {
		if time.Since(restarted) > 30*time.Second {
			t.Fatalf("no Replaced event within 30s of the restart; stats %+v", c.Stats().Topology)
		}
		mu.Lock()
		for _, ev := range events {
			if ev.Replaced {
				replaced, found = ev, true
			}
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(restarted)
	if replaced.ClusterID == "" || replaced.ClusterID == oldID {
		t.Fatalf("Replaced event cluster id %q, old %q: want a new id", replaced.ClusterID, oldID)
	}
	if replaced.PreviousEpoch < oldEpoch {
		t.Fatalf("Replaced event PreviousEpoch %d, want the old cluster's epoch >= %d", replaced.PreviousEpoch, oldEpoch)
	}
	st := c.Stats().Topology
	if st.ClusterID != replaced.ClusterID || st.ClusterReplacements != 1 {
		t.Fatalf("stats after replacement: id %q replacements %d, want %q and 1", st.ClusterID, st.ClusterReplacements, replaced.ClusterID)
	}
	if v := c.ClusterView(); v.ClusterID != replaced.ClusterID {
		t.Fatalf("ClusterView id %q, want %q", v.ClusterID, replaced.ClusterID)
	}
	t.Logf("restart without data: Replaced event %v after the restart returned (epoch %d -> %d, id %s -> %s)",
		took.Round(time.Millisecond), replaced.PreviousEpoch, replaced.CurrentEpoch, oldID, replaced.ClusterID)

	// The new cluster works and has none of the old data.
	if _, err := c.Put(ctx, []byte("new-cluster-key"), []byte("w"), nil); err != nil {
		t.Fatalf("Put on the new cluster: %v", err)
	}
	if _, err := c.Get(ctx, []byte("old-cluster-key"), &client.GetOptions{Consistency: client.ConsistencyLinearizable}); !errors.Is(err, client.ErrKeyNotFound) {
		t.Fatalf("Get of an old key on the new cluster: %v, want ErrKeyNotFound", err)
	}
	// New epochs keep being accepted after the replacement.
	before := c.ClusterView().Epoch
	leader := waitProcLeader(t, pc, 0)
	var target string
	for _, id := range pc.IDs() {
		if id != leader {
			target = id
			break
		}
	}
	if _, err := c.TransferShard(ctx, 0, target); err != nil {
		t.Fatalf("TransferShard: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for c.ClusterView().Epoch <= before {
		if time.Now().After(deadline) {
			t.Fatalf("epoch stayed %d after a leader move on the new cluster", before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
