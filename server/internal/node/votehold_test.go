package node_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// startNewMembers starts the first n members of a new three-node cluster;
// the others' replication ports accept connections but never answer (hung
// machines). It returns the layout, the nodes and their logs.
func startNewMembers(t *testing.T, n int) (topology.Layout, map[string]*node.Node, map[string]*syncBuffer) {
	t.Helper()
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, 3)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := n; i < 3; i++ {
		t.Cleanup(func() { _ = cls[i].Close(); _ = rls[i].Close() })
	}
	dir := t.TempDir()
	nodes := map[string]*node.Node{}
	logs := map[string]*syncBuffer{}
	for i, nd := range l.Nodes[:n] {
		logs[nd.ID] = &syncBuffer{}
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i], LogOutput: logs[nd.ID]})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
	return l, nodes, logs
}

// noProbeAnswer is what a node logs when no majority of its peers answered
// the start-up question in time.
const noProbeAnswer = "no majority of its peers answered"

// TestNewClusterDecidesOnAMajority: two members of a new three-node
// cluster start while the third is hung. They open their groups with the
// vote held while they ask their peers whether a cluster exists, take it
// for new as soon as one peer says it holds none (with the asking node, a
// majority without data) without waiting out the probe for the hung one,
// and elect a leader in every group.
func TestNewClusterDecidesOnAMajority(t *testing.T) {
	t0 := time.Now()
	l, nodes, logs := startNewMembers(t, 2)
	deadline := time.Now().Add(60 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for leaderOf(nodes, g) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("group %d of a new cluster has no leader with one member hung", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("every group led %v after the start", time.Since(t0).Round(time.Millisecond))
	for id, x := range nodes {
		for _, st := range x.Status() {
			if st.VoteHeld {
				t.Fatalf("%s still holds its vote in group %d of a new cluster", id, st.ID)
			}
		}
	}
	for id, b := range logs {
		if out := b.String(); strings.Contains(out, noProbeAnswer) {
			t.Errorf("%s waited for the hung member before voting (its peer had answered): %s", id, out)
		}
	}
}

// TestNewMemberAloneTakesTheClusterForNew: a member of a new cluster whose
// peers are both hung gets no answer; after the probe's bound it takes the
// cluster for new and says so in its log. It still holds its vote in
// every group: no peer confirmed its --shards/--groups (layoutpeers.go),
// and a node alone cannot win an election anyway (the member that answers
// first confirms them, or refuses them; TestNewClusterDecidesOnAMajority
// shows two members releasing their votes).
func TestNewMemberAloneTakesTheClusterForNew(t *testing.T) {
	_, nodes, logs := startNewMembers(t, 1)
	x, b := nodes["n1"], logs["n1"]
	if x == nil {
		t.Fatalf("no node n1 among %v", nodes)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(b.String(), noProbeAnswer) {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s n1 has not taken the cluster for new; its log: %q", b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(b.String(), "voting once its peers confirm its --shards/--groups") {
		t.Errorf("n1 did not say it votes once its peers confirm its counts: %q", b.String())
	}
	for _, st := range x.Status() {
		if !st.VoteHeld {
			t.Errorf("n1 votes in group %d with counts no peer confirmed; its log: %q", st.ID, b.String())
		}
	}
}

// syncBuffer is a log output several goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
