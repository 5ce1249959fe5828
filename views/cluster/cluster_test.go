package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newPane(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	m.Update(common.StatsMsg{At: t0, Stats: client.Stats{Pool: client.PoolStats{Addrs: []string{"127.0.0.1:7447", "127.0.0.1:7448"}}}})
	peers := []string{"n1", "n2", "n3"}
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n1", RTT: 420 * time.Microsecond, Status: &client.NodeStatus{NodeID: "n1",
		Groups: []client.GroupStatus{
			{GroupID: 0, State: "leader", Term: 3, CommitIndex: 120, AppliedIndex: 120, Peers: peers, Shards: seq(0, 64), Keys: 812, Vectors: 2000, VectorIndexes: 1},
			{GroupID: 1, State: "follower", Term: 2, CommitIndex: 80, AppliedIndex: 80, Peers: []string{"n2", "n3", "n1"}, Shards: seq(64, 128)},
		}}})
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n2", RTT: 380 * time.Microsecond, Status: &client.NodeStatus{NodeID: "n2",
		Groups: []client.GroupStatus{
			{GroupID: 0, State: "follower", Term: 3, CommitIndex: 120, AppliedIndex: 118, Peers: peers, Shards: seq(0, 64)},
			{GroupID: 1, State: "leader", Term: 2, CommitIndex: 80, AppliedIndex: 80, Peers: []string{"n2", "n3", "n1"}, Shards: seq(64, 128), Keys: 45210},
		}}})
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n3", Err: fmt.Errorf("connection refused")})
	return m
}

func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newPane(sz[0], sz[1])
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

func TestGoldenAfterLeaderMove(t *testing.T) {
	m := newPane(80, 21)
	v, ev := uitest.MoveGroup(m.ClusterView(), 16, 1, "n1")
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v, Event: ev})
	m.Update(tea.KeyMsg{Type: tea.KeyRight})
	golden.RequireEqual(t, []byte(m.View()))
}

func TestGroupsTableShowsLeadersAndLag(t *testing.T) {
	m := newPane(100, 40)
	v := m.View()
	for _, want := range []string{"GROUP", "g0    0-63", "n1*  n2 -2  n3 down", "g1    64-127", "n2*  n3 down  n1 ok"} {
		if !strings.Contains(v, want) {
			t.Errorf("groups table lacks %q:\n%s", want, v)
		}
	}
	// A node whose poll fails drops out of every group it reported; the
	// cluster still names it leader of group 1, which the row says.
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n2", Err: fmt.Errorf("unreachable")})
	if v := m.View(); !strings.Contains(v, "g1    64-127    [2] n2") || !strings.Contains(v, "no report: n2 does not answer") || strings.Contains(v, "election in progress") {
		t.Errorf("group 1 without its leader's report:\n%s", v)
	}
}

// TestGroupsTableFollowsTheViewsLeader: the topology watch names a new
// leader before the next poll brings the nodes' reports; the group's row
// names the new leader and waits for its report (it named the old leader
// with its old term), and says "election in progress" only when the view
// has no leader for the group either (it said so of a group whose leader
// had simply not been polled yet).
func TestGroupsTableFollowsTheViewsLeader(t *testing.T) {
	m := newPane(100, 40)
	v, ev := uitest.MoveGroup(m.ClusterView(), 16, 0, "n2")
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v, Event: ev})
	if got := m.View(); !strings.Contains(got, "g0    0-63      [2] n2") || !strings.Contains(got, "waiting for n2's report") {
		t.Errorf("group 0 moved to n2, the table says:\n%s", got)
	}
	peers := []string{"n1", "n2", "n3"}
	m.Update(common.NodeStatusMsg{At: t0.Add(2 * time.Second), NodeID: "n2", RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: "n2",
		Groups: []client.GroupStatus{{GroupID: 0, State: "leader", Term: 4, CommitIndex: 121, AppliedIndex: 121, Peers: peers, Shards: seq(0, 64)},
			{GroupID: 1, State: "leader", Term: 2, CommitIndex: 80, AppliedIndex: 80, Peers: []string{"n2", "n3", "n1"}, Shards: seq(64, 128)}}}})
	// n1's report, from before the move, still says leader (term 3): the
	// higher term wins, every frame (map order picked one at random).
	for i := 0; i < 50; i++ {
		if got := m.View(); !strings.Contains(got, "g0    0-63      [2] n2     4      121") {
			t.Fatalf("frame %d: n2's report as leader of group 0 (term 4, n1's older one term 3):\n%s", i, got)
		}
	}
	// No leader in the view and none reported: an election.
	nv := *v
	nv.Epoch++
	nv.Shards = append([]client.ShardInfo(nil), v.Shards...)
	for i := 64; i < 128; i++ {
		nv.Shards[i] = client.ShardInfo{ID: i, Replicas: []client.ShardReplica{{NodeID: "n2"}, {NodeID: "n3"}, {NodeID: "n1"}}}
	}
	m.Update(common.TopologyMsg{At: t0.Add(3 * time.Second), View: &nv})
	if got := m.View(); !strings.Contains(got, "g1    64-127    none") || !strings.Contains(got, "election in progress (n2 led at the last poll)") {
		t.Errorf("group 1 without a leader in the view, n2's older report names itself:\n%s", got)
	}
	m.Update(common.NodeStatusMsg{At: t0.Add(3 * time.Second), NodeID: "n2", Err: fmt.Errorf("unreachable")})
	// n3's poll failed too: two of three do not answer.
	if got := m.View(); !strings.Contains(got, "g1    64-127    none") || !strings.Contains(got, "no leader; n2, n3 do not answer") {
		t.Errorf("group 1 without a leader anywhere:\n%s", got)
	}
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		m := newPane(sz[0], sz[1])
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
		empty := New(uitest.Common())
		empty.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, empty.View(), sz[0], sz[1])
	}
}

// A node whose pool connection is open but failing reads "down" in the
// CONN column, not "yes" beside "unreachable" (found in tmux with a
// cluster killed under a watching console).
func TestConnColumnSaysDownForAFailingConnection(t *testing.T) {
	m := newPane(120, 40)
	m.Update(common.StatsMsg{At: t0, Stats: client.Stats{Pool: client.PoolStats{
		Addrs: []string{"127.0.0.1:7447", "127.0.0.1:7448"}, Failing: []string{"127.0.0.1:7448"}}}})
	v := m.View()
	for _, want := range []struct{ addr, conn string }{{"127.0.0.1:7447", "yes"}, {"127.0.0.1:7448", "down"}, {"127.0.0.1:7449", "no"}} {
		row := ""
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, want.addr) {
				row = l
				break
			}
		}
		if f := strings.Fields(row); len(f) < 6 || f[5] != want.conn { // [k] nK addr health leads conn
			t.Errorf("row of %s: %q, want CONN %q", want.addr, row, want.conn)
		}
	}
	if _, tsv, ok := m.CopyTable(); !ok || !strings.Contains(tsv, "127.0.0.1:7448\t") || !strings.Contains(tsv, "\tdown\t") {
		t.Errorf("copied table does not say n2's connection is down: %q", tsv)
	}
}
