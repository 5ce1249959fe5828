package events

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// holdStatus is a node's report on 4 groups, holding its vote in held of
// them.
func holdStatus(id string, held int) *client.NodeStatus {
	st := &client.NodeStatus{NodeID: id, MetaVoteHeld: held > 0}
	for g := 0; g < 4; g++ {
		st.Groups = append(st.Groups, client.GroupStatus{GroupID: g, State: "follower", VoteHeld: g < held})
	}
	return st
}

// TestVoteHoldIsNotedOnceAndItsEnd: a node whose reports hold its vote
// (restarted without data) is noted once, however many polls say so and
// while the count falls as it catches up group by group; a failed poll in
// between changes nothing; the report without a hold is noted once as
// caught up.
func TestVoteHoldIsNotedOnceAndItsEnd(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 20)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 64, 4)})
	at := t0
	poll := func(id string, st *client.NodeStatus, err error) {
		at = at.Add(time.Second)
		m.Update(common.NodeStatusMsg{At: at, NodeID: id, Status: st, Err: err, RTT: time.Millisecond})
	}
	poll("n1", holdStatus("n1", 0), nil)
	poll("n2", holdStatus("n2", 4), nil)
	poll("n2", holdStatus("n2", 4), nil)
	poll("n2", nil, errors.New("deadline exceeded"))
	poll("n2", holdStatus("n2", 2), nil)
	poll("n2", holdStatus("n2", 0), nil)
	poll("n2", holdStatus("n2", 0), nil)
	v := m.View()
	if n := strings.Count(v, "n2 holds its vote in 4 groups (restarted without data)"); n != 1 {
		t.Errorf("the hold noted %d times, want once:\n%s", n, v)
	}
	if n := strings.Count(v, "n2 caught up: voting in every group"); n != 1 {
		t.Errorf("the end of the hold noted %d times, want once:\n%s", n, v)
	}
	if strings.Contains(v, "n1 holds") || strings.Contains(v, "n1 caught up") || strings.Contains(v, "holds its vote in 2") {
		t.Errorf("news for a node that never held its vote, or a repeat:\n%s", v)
	}
	if got := len(m.Entries()); got != 3 {
		t.Errorf("%d entries, want the first view, the hold and its end:\n%s", got, v)
	}
}

// TestNewNodeUnreachableIsSaidBeforeItComesBack: a node the console cannot
// reach when a view first shows it (the first view, a replacing cluster's,
// a node added) is said unreachable in that entry, so that its "reachable
// again" later follows a loss in the timeline (after a replacement the
// timeline read "n3 reachable again" with no "unreachable" before).
func TestNewNodeUnreachableIsSaidBeforeItComesBack(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 30)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 4)})
	fresh := uitest.View(2, 3, 64, 4)
	fresh.Nodes[2].Unreachable = true
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: fresh,
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "fresh", LeaderChanges: map[uint32]string{}}})
	grown := uitest.View(3, 4, 64, 4)
	grown.Nodes[2].Unreachable, grown.Nodes[3].Unreachable = true, true
	m.Update(common.TopologyMsg{At: t0.Add(2 * time.Second), View: grown,
		Event: &client.TopologyEvent{PreviousEpoch: 2, CurrentEpoch: 3, AddedNodes: []string{"n4"}, LeaderChanges: map[uint32]string{}}})
	back := uitest.View(3, 4, 64, 4)
	m.Update(common.TopologyMsg{At: t0.Add(3 * time.Second), View: back,
		Event: &client.TopologyEvent{PreviousEpoch: 3, CurrentEpoch: 3, LeaderChanges: map[uint32]string{}}})
	v := m.View()
	for _, id := range []string{"n3", "n4"} {
		lost := strings.Index(v, id+" unreachable from the console")
		again := strings.Index(v, id+" reachable again")
		// newest first: the loss is below the return
		if again < 0 || lost < again {
			t.Errorf("%s: back at %d, lost at %d in the timeline:\n%s", id, again, lost, v)
		}
	}
}

// TestNoteTravelsToItsEpoch: travelling from a note asks for the newest
// view of its epoch, not a view taken at the note's time (there is none).
func TestNoteTravelsToItsEpoch(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 20)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 64, 4)})
	m.Update(common.NodeStatusMsg{At: t0.Add(time.Second), NodeID: "n2", Status: holdStatus("n2", 4)})
	acts := m.Actions()
	if len(acts) != 1 {
		t.Fatalf("actions: %d", len(acts))
	}
	var travel *common.TimeTravelMsg
	for _, c := range acts[0].Run("")().(tea.BatchMsg) {
		if msg, ok := c().(common.TimeTravelMsg); ok {
			travel = &msg
		}
	}
	if travel == nil || travel.Epoch != 7 || !travel.At.IsZero() {
		t.Errorf("travel from the note: %+v, want epoch 7 at any time", travel)
	}
}
