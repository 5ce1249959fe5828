package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// holdingPane is a 3-node cluster of 4 groups in which n2 restarted
// without its data: its report holds the vote in every group (and in the
// metadata group) while it catches up; n1 and n3 lead.
func holdingPane(w, h int, held bool) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	m.Update(common.TickMsg{At: t0})
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)})
	for _, id := range []string{"n1", "n2", "n3"} {
		st := statusOf(id, 64, 4, 5)
		if id == "n2" {
			st.MetaVoteHeld = held
			for i := range st.Groups {
				st.Groups[i].State, st.Groups[i].VoteHeld, st.Groups[i].AppliedIndex = "follower", held, 4
			}
		}
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond, Status: st})
	}
	return m
}

// TestNodeHoldingItsVoteIsShown: a replica that reports holding its vote
// is marked in the groups table from its own report, and a line under the
// nodes table says why and in how many groups, at every width the pane
// draws in; once its report holds no vote, both go.
func TestNodeHoldingItsVoteIsShown(t *testing.T) {
	m := holdingPane(120, 40, true)
	v := m.View()
	if !strings.Contains(v, "n2 restarted without data: not voting in 4 groups until caught up") {
		t.Errorf("no line says n2 holds its vote:\n%s", v)
	}
	for _, row := range strings.Split(v, "\n") {
		f := strings.Fields(row)
		if len(f) == 0 || len(f[0]) < 2 || f[0][0] != 'g' || f[0][1] < '0' || f[0][1] > '9' {
			continue
		}
		if strings.Contains(row, "n2 ok") || strings.Contains(row, "n2 -") {
			t.Errorf("group row shows n2 as an ordinary replica while its report holds the vote: %q", row)
		}
	}
	if !strings.Contains(v, "n2 catching up, not voting") {
		t.Errorf("no group row marks n2:\n%s", v)
	}
	for _, sz := range append([][2]int{{40, 12}, {44, 20}, {60, 24}, {80, 24}}, uitest.Sizes...) {
		m := holdingPane(sz[0], sz[1], true)
		v := m.View()
		uitest.RequireSize(t, v, sz[0], sz[1])
		if sz[0] >= MinWidth && sz[1] >= MinHeight && !strings.Contains(v, "n2 restarted without data: not voting in 4 groups") &&
			!strings.Contains(v, "n2: no data, not voting in 4 groups") {
			t.Errorf("%dx%d: the hold is not said whole:\n%s", sz[0], sz[1], v)
		}
	}

	// Caught up: its next report holds nothing.
	m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: "n2", RTT: time.Millisecond, Status: statusOf("n2", 64, 4, 5)})
	if v := m.View(); strings.Contains(v, "not voting") {
		t.Errorf("n2 caught up, the pane still says it does not vote:\n%s", v)
	}
}

// TestLeaderlessGroupNamesTheHeldVote: a group without a leader whose
// replica holds its vote says so next to "election in progress" (the
// other replicas must elect one alone).
func TestLeaderlessGroupNamesTheHeldVote(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	v := leaderlessView()
	m.Update(common.TopologyMsg{At: t0, View: v})
	for _, id := range []string{"n1", "n3"} {
		st := statusOf(id, 64, 1, 5)
		st.Groups[0].State = "follower"
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond, Status: st})
	}
	st := statusOf("n2", 64, 1, 5)
	st.Groups[0].State, st.Groups[0].VoteHeld, st.MetaVoteHeld = "follower", true, true
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n2", RTT: time.Millisecond, Status: st})
	if got := m.View(); !strings.Contains(got, "election in progress; n2 not voting (no data)") {
		t.Errorf("leaderless group with n2 holding its vote:\n%s", got)
	}
}

// TestViewLeaderThatReportsNoLeadIsNotAwaited: with no leader anywhere
// the cluster cannot publish a new view, so the live view still names the
// group's old leader n2; n2's own report, newer than that view, says it
// is a follower. The row said "waiting for n2's report" for as long as the
// group had no leader (seen in tmux: n1 killed, n2 wiped and holding its
// vote): it says the election is on, and why it may take.
func TestViewLeaderThatReportsNoLeadIsNotAwaited(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)}) // g1 led by n2
	at := t0.Add(2 * time.Second)
	for _, id := range []string{"n2", "n3"} {
		st := statusOf(id, 64, 4, 5)
		for i := range st.Groups {
			st.Groups[i].State, st.Groups[i].VoteHeld = "follower", id == "n2"
		}
		m.Update(common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: st})
	}
	v := m.View()
	row := ""
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "g1 ") {
			row = l
		}
	}
	if strings.Contains(row, "waiting for n2") || !strings.Contains(row, "election in progress; n2 not voting (no data)") {
		t.Errorf("g1, whose view leader n2 reports follower since: %q\n%s", row, v)
	}
	// A move the reports have not caught up with is still awaited.
	moved, ev := uitest.MoveGroup(uitest.View(9, 3, 64, 4), 4, 2, "n1")
	m.Update(common.TopologyMsg{At: at.Add(time.Second), View: moved, Event: ev})
	if v := m.View(); !strings.Contains(v, "waiting for n1's report") {
		t.Errorf("g2 just moved to n1, its report not in yet:\n%s", v)
	}
}

// leaderlessView is uitest.View(9, 3, 64, 1) with no replica leading.
func leaderlessView() *client.ClusterView {
	v := uitest.View(9, 3, 64, 1)
	for i := range v.Shards {
		v.Shards[i].Replicas = append([]client.ShardReplica(nil), v.Shards[i].Replicas...)
		for j := range v.Shards[i].Replicas {
			v.Shards[i].Replicas[j].Leader = false
		}
	}
	return v
}
