package node_test

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// startFresh starts n fresh nodes (8 shards, 4 groups) and calls
// CampaignFresh on each once all run, as the embedded cluster does. It
// returns how long starting them took.
func startFresh(t *testing.T, n int) (topology.Layout, []*node.Node, time.Duration) {
	t.Helper()
	l := topology.Layout{TotalShards: 8, Groups: 4}
	cls, rls := listenNodes(t, &l, n)
	dir := t.TempDir()
	t0 := time.Now()
	var nodes []*node.Node
	for i, nd := range l.Nodes {
		x, err := node.Start(node.Config{Layout: l, NodeID: nd.ID, DataDir: dir + "/" + nd.ID, ClientListener: cls[i], RaftListener: rls[i]})
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, x)
		t.Cleanup(func() { _ = x.Close() })
	}
	took := time.Since(t0)
	for _, x := range nodes {
		x.CampaignFresh()
	}
	return l, nodes, took
}

// leaderTerms returns each group's term as its leader reports it, waiting until
// every group has a leader.
func leaderTerms(t *testing.T, l topology.Layout, nodes []*node.Node) map[int]node.GroupStatus {
	t.Helper()
	out := map[int]node.GroupStatus{}
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < l.Groups {
		for _, x := range nodes {
			for _, st := range x.Status() {
				if st.State == "leader" {
					st.LeaderID = x.ID()
					out[st.ID] = st
				}
			}
		}
		if len(out) < l.Groups {
			if time.Now().After(deadline) {
				t.Fatalf("after 30 s only %d of %d groups have a leader", len(out), l.Groups)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return out
}

// A fresh cluster whose members campaign at once elects each group's
// preferred leader in the first election (term 2: bootstrap is term 1),
// the same outcome the start grace reaches later, and the bootstrap
// configuration holds every replica.
func TestCampaignFreshElectsPreferredLeaders(t *testing.T) {
	l, nodes, took := startFresh(t, 3)
	// The watchdog of the second voter in line campaigns 450 ms after its
	// node started (start grace plus one stagger); a machine so loaded
	// that starting the nodes took a good part of that may see it contest
	// the first election, which Raft settles in a later term.
	contested := took > 200*time.Millisecond
	for g, st := range leaderTerms(t, l, nodes) {
		if want := l.PreferredLeader(g); st.LeaderID != want && !contested {
			t.Errorf("group %d: led by %s, want its preferred %s", g, st.LeaderID, want)
		}
		if st.Term != 2 && !contested {
			t.Errorf("group %d: term %d, want 2 (one uncontested election)", g, st.Term)
		}
		if len(st.Peers) != 3 {
			t.Errorf("group %d: peers %v, want 3 replicas", g, st.Peers)
		}
	}
}

// On groups that have a leader, CampaignFresh does nothing: no election,
// no new term.
func TestCampaignFreshLeavesLedGroupsAlone(t *testing.T) {
	l, nodes, _ := startFresh(t, 3)
	before := leaderTerms(t, l, nodes)
	for range 3 {
		for _, x := range nodes {
			x.CampaignFresh()
		}
	}
	// An election would show within a few round trips; give it time.
	time.Sleep(300 * time.Millisecond)
	after := leaderTerms(t, l, nodes)
	for g, st := range after {
		if st.Term != before[g].Term || st.LeaderID != before[g].LeaderID {
			t.Errorf("group %d: %s at term %d became %s at term %d", g, before[g].LeaderID, before[g].Term, st.LeaderID, st.Term)
		}
	}
}
