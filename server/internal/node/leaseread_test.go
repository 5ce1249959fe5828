package node_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
)

// faultyNodes starts three nodes sharing a fault injector and waits until
// every group has a leader.
func faultyNodes(t *testing.T) (map[string]*node.Node, *transport.Faults) {
	t.Helper()
	l := topology.Layout{TotalShards: 8, Groups: 2}
	cls, rls := listenNodes(t, &l, 3)
	faults := transport.NewFaults()
	nodes := map[string]*node.Node{}
	dir := t.TempDir()
	for i, nd := range l.Nodes {
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i], Faults: faults})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
	deadline := time.Now().Add(30 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for leaderOf(nodes, g) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("group %d has no leader", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nodes, faults
}

// TestLeaseCheckedAfterTheRead pauses a lease read between its lease check
// and the read itself (the read function blocks), and meanwhile isolates
// the leader until the others have acknowledged a newer value. The read
// must not be served: the lease is checked again after reading.
func TestLeaseCheckedAfterTheRead(t *testing.T) {
	nodes, faults := faultyNodes(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const g = 0
	old := leaderOf(nodes, g)
	put := func(x *node.Node, v string) error {
		_, err := x.Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte("k"), Value: []byte(v)})
		return err
	}
	if err := put(old, "old"); err != nil {
		t.Fatal(err)
	}
	// Take a lease.
	if err := old.Read(ctx, g, node.Lease, func(*kvstore.FSM) error { return nil }); err != nil {
		t.Fatal(err)
	}
	calls := 0
	var got string
	err := old.Read(ctx, g, node.Lease, func(fsm *kvstore.FSM) error {
		calls++
		if calls == 1 {
			// "Paused" after the lease check: the others move on.
			for id := range nodes {
				if id != old.ID() {
					faults.Cut(old.ID(), id)
				}
			}
			for acked := false; !acked; {
				for _, x := range nodes {
					if x != old && x.IsLeader(g) && put(x, "new") == nil {
						acked = true
					}
				}
				if ctx.Err() != nil {
					t.Fatal("the others acknowledged nothing")
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		it, ok := fsm.Get([]byte("k"), time.Now().UnixMilli())
		if ok {
			got = string(it.Value)
		}
		return nil
	})
	var nl *node.NotLeaderError
	switch {
	case err == nil && got == "old":
		t.Fatal("lease read served the old value after the others acknowledged a new one")
	case err != nil && !errors.As(err, &nl):
		t.Fatalf("read after losing the lease: %v, want NOT_LEADER", err)
	}
}
