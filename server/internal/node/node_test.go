package node_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// testNodes starts n nodes over loopback with a small layout (8 shards in
// 4 groups of 3 replicas) and waits until every group has a leader.
func testNodes(t *testing.T, n int) (topology.Layout, map[string]*node.Node) {
	t.Helper()
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, n)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	nodes := map[string]*node.Node{}
	dir := t.TempDir()
	for i, nd := range l.Nodes {
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i]})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
	deadline := time.Now().Add(20 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for leaderOf(nodes, g) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("group %d has no leader", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return l, nodes
}

func leaderOf(nodes map[string]*node.Node, g int) *node.Node {
	for _, x := range nodes {
		if x.IsLeader(g) {
			return x
		}
	}
	return nil
}

func TestProposeReadAndRedirects(t *testing.T) {
	l, nodes := testNodes(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const g = 1
	leader := leaderOf(nodes, g)
	res, err := leader.Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte("k"), Value: []byte("v")})
	if err != nil || res.Outcome != kvstore.OK || res.Version.Index == 0 || res.Version.Term == 0 {
		t.Fatalf("propose on the leader: %+v %v", res, err)
	}
	var follower, outsider *node.Node
	for id, x := range nodes {
		switch {
		case !l.IsReplica(g, id):
			outsider = x
		case x != leader:
			follower = x
		}
	}
	if outsider == nil || follower == nil {
		t.Fatal("layout has no outsider or follower for the group")
	}
	// A non-replica knows the leader from the cluster view, once it has it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if st, _ := outsider.Meta(); st.Topology.Leaders[g] == leader.ID() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the non-replica's view never showed the leader")
		}
	}
	for name, x := range map[string]*node.Node{"follower": follower, "non-replica": outsider} {
		_, err := x.Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte("k"), Value: []byte("w")})
		var nl *node.NotLeaderError
		if !errors.As(err, &nl) || nl.Group != g || nl.Hint != leader.Self().Addr {
			t.Fatalf("propose on the %s: %v, want NotLeaderError hinting %s", name, err, leader.Self().Addr)
		}
		if _, err := x.ReadGroup(ctx, g, node.Lease); !errors.As(err, &nl) {
			t.Fatalf("lease read on the %s: %v, want NotLeaderError", name, err)
		}
	}
	for _, level := range []node.Consistency{node.Lease, node.Linearizable} {
		fsm, err := leader.ReadGroup(ctx, g, level)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := fsm.Get([]byte("k"), time.Now().UnixMilli()); !ok || string(it.Value) != "v" || it.Version != res.Version {
			t.Fatalf("leader read at level %d: %+v %v", level, it, ok)
		}
	}
	// A follower serves stale reads from its own replica once it applied the write.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fsm, err := follower.ReadGroup(ctx, g, node.Stale)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := fsm.Get([]byte("k"), time.Now().UnixMilli()); ok && it.Version == res.Version {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("follower never applied the write")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := outsider.ReadGroup(ctx, g, node.Stale); err == nil {
		t.Fatal("a non-replica served a stale read of a group it does not hold")
	}
	if outsider.Group(g) != nil {
		t.Fatal("a non-replica has a local group")
	}
}

func TestVectorCommandsReplicateToEveryReplica(t *testing.T) {
	l, nodes := testNodes(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const g = 2
	leader := leaderOf(nodes, g)
	def := vectorstore.Def{Dims: 2, Distance: 1, Kind: 2}
	for _, c := range []*kvstore.Command{
		vectorstore.CreateCommand("ns", def, 99, ""),
		vectorstore.InsertCommand("ns", "a", []float32{1, 2}, ""),
		vectorstore.InsertCommand("ns", "b", []float32{3, 4}, ""),
		vectorstore.DeleteCommand("ns", "a", ""),
	} {
		if res, err := leader.Propose(ctx, g, c); err != nil || res.Outcome != kvstore.OK {
			t.Fatalf("propose %d: %+v %v", c.Type, res, err)
		}
	}
	for _, nd := range l.Replicas(g) {
		x := nodes[nd.ID]
		deadline := time.Now().Add(5 * time.Second)
		for {
			// Applied all four commands: b present, a deleted, nothing else.
			if ix, ok := x.Group(g).Vectors.Index("ns"); ok {
				_, hasA := ix.Get("a")
				b, hasB := ix.Get("b")
				if !hasA && hasB && ix.Len() == 1 {
					if b[0] != 3 || b[1] != 4 {
						t.Fatalf("%s holds b = %v", nd.ID, b)
					}
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never applied the vector commands", nd.ID)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestTransferSnapshotStatusAndClose(t *testing.T) {
	l, nodes := testNodes(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const g = 0
	leader := leaderOf(nodes, g)
	if err := leader.TransferGroup(ctx, g, "n9"); err == nil {
		t.Fatal("transfer to an unknown node succeeded")
	}
	var target string
	for _, nd := range l.Replicas(g) {
		if nd.ID != leader.ID() {
			target = nd.ID
			break
		}
	}
	if err := leader.TransferGroup(ctx, g, target); err != nil {
		t.Fatal(err)
	}
	if !nodes[target].IsLeader(g) || leader.IsLeader(g) {
		t.Fatalf("after transfer: %s leads=%v, %s leads=%v", target, nodes[target].IsLeader(g), leader.ID(), leader.IsLeader(g))
	}
	st, _ := leader.Meta()
	if st.Topology.Leaders[g] != target {
		t.Fatalf("view says group %d is led by %s, want %s", g, st.Topology.Leaders[g], target)
	}
	if _, err := nodes[target].Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte("s"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	if err := nodes[target].SnapshotGroup(g); err != nil {
		t.Fatal(err)
	}
	var seen bool
	for _, gs := range nodes[target].Status() {
		if gs.ID == g {
			seen = true
			if gs.State != "leader" || gs.LeaderID != target || gs.Keys != 1 || gs.AppliedIdx == 0 || len(gs.Peers) != 3 {
				t.Fatalf("status %+v", gs)
			}
		}
	}
	if !seen {
		t.Fatal("status lacks the group")
	}
	if err := leader.Close(); err != nil {
		t.Fatal(err)
	}
	if err := leader.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := leader.Propose(ctx, g, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte("s"), Value: []byte("2")}); err == nil {
		t.Fatal("a closed node accepted a write")
	}
}

// listenNodes opens a client and a replication listener on 127.0.0.1 for
// each of n nodes n1..nn and adds them to l.
func listenNodes(t *testing.T, l *topology.Layout, n int) (cls, rls []net.Listener) {
	t.Helper()
	for i := 0; i < n; i++ {
		cl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cls, rls = append(cls, cl), append(rls, rl)
		l.Nodes = append(l.Nodes, topology.Node{ID: "n" + strconv.Itoa(i+1), Addr: cl.Addr().String(), RaftAddr: rl.Addr().String()})
	}
	return cls, rls
}
