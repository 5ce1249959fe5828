package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// heldStatus is a node's answer holding its vote in 4 groups.
func heldStatus(id string) *client.NodeStatus {
	st := &client.NodeStatus{NodeID: id, MetaVoteHeld: true}
	for g := 0; g < 4; g++ {
		st.Groups = append(st.Groups, client.GroupStatus{GroupID: g, State: "follower", VoteHeld: true})
	}
	return st
}

// TestNodeHoldingItsVoteIsNotUnreachable: a node restarted without its
// data sends no cluster view until it has caught up, so the client flags
// it unreachable again after every poll it answers. Seen in tmux (3 serve
// processes, n1 killed, n3 wiped and holding its vote): the message log
// and the Events pane flapped "cannot reach n3" / "reachable again: n3"
// every few seconds. A node whose last poll answered with its vote held is
// reachable; once a poll fails it is not.
func TestNodeHoldingItsVoteIsNotUnreachable(t *testing.T) {
	m := newRoot(t, 120, 40)
	m.connState = StateConnected
	st := client.Stats{}
	st.Topology.ViewsReceived = 10
	at := t0
	for i := 0; i < 3; i++ {
		at = at.Add(time.Second)
		send(m, common.NodeStatusMsg{At: at, NodeID: "n3", RTT: time.Millisecond, Status: heldStatus("n3")})
		at = at.Add(time.Second)
		st.Topology.UnreachableNodes = []string{"n3"}
		send(m, common.StatsMsg{At: at, Stats: st})
		if u := m.Unreachable(); len(u) != 0 {
			t.Fatalf("round %d: n3 answers its polls (holding its vote) but is shown unreachable: %v", i, u)
		}
		at = at.Add(time.Second)
		st.Topology.UnreachableNodes = nil
		send(m, common.StatsMsg{At: at, Stats: st})
	}
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "n3") {
			t.Errorf("message log: %q", e.Text)
		}
	}
	// Paused: its poll fails, and it is unreachable.
	st.Topology.UnreachableNodes = []string{"n3"}
	send(m, common.StatsMsg{At: at.Add(time.Second), Stats: st})
	send(m, common.NodeStatusMsg{At: at.Add(2 * time.Second), NodeID: "n3", Err: errTest("node status n3: deadline exceeded")})
	if u := m.Unreachable(); len(u) != 1 || u[0] != "n3" {
		t.Fatalf("n3's poll failed: unreachable %v, want [n3]", u)
	}
}
