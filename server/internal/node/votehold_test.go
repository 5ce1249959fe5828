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

// TestNewClusterVotesWithAMemberHung: two members of a new three-node
// cluster start while the third's replication port accepts connections but
// never answers (a hung machine). The two open their groups with the vote
// held while they ask their peers whether a cluster exists; the hung one
// never answers, so after the probe's bound they take the cluster for new,
// vote, and elect a leader in every group.
func TestNewClusterVotesWithAMemberHung(t *testing.T) {
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, 3)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cls[2].Close(); _ = rls[2].Close() })
	dir := t.TempDir()
	nodes := map[string]*node.Node{}
	t0 := time.Now()
	for i, nd := range l.Nodes[:2] {
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i]})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
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
}

// TestNewClusterDecidesOnAMajority: members of a new three-node cluster
// take it for new as soon as one peer says it holds no cluster (with the
// asking node, a majority without data); they do not wait out the probe
// for the third member, which accepts connections but never answers. A
// probe that ran out logs that it decided without knowing.
func TestNewClusterDecidesOnAMajority(t *testing.T) {
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, 3)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cls[2].Close(); _ = rls[2].Close() })
	dir := t.TempDir()
	nodes := map[string]*node.Node{}
	logs := map[string]*syncBuffer{}
	for i, nd := range l.Nodes[:2] {
		logs[nd.ID] = &syncBuffer{}
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i], LogOutput: logs[nd.ID]})
		if err != nil {
			t.Fatal(err)
		}
		nodes[nd.ID] = x
		t.Cleanup(func() { _ = x.Close() })
	}
	deadline := time.Now().Add(60 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for leaderOf(nodes, g) == nil {
			if time.Now().After(deadline) {
				t.Fatalf("group %d of a new cluster has no leader with one member hung", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for id, b := range logs {
		if out := b.String(); strings.Contains(out, "no majority of its peers answered") {
			t.Errorf("%s waited for the hung member before voting (its peer had answered): %s", id, out)
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
