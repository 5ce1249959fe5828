package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestOverduePollHidesTheOldRTT: a node that stops answering (SIGSTOP)
// kept its last round trip in the RTT column until its status poll timed
// out, about 2 s after the health column had turned: the column must say
// how long the node has not answered as soon as its poll is overdue, then
// "timeout", and a round trip again once it answers.
func TestOverduePollHidesTheOldRTT(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(100, 30)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(3, 3, 64, 4)})
	m.Update(common.TickMsg{At: t0})
	m.Update(common.PollsSentMsg{At: t0, NodeIDs: []string{"n1", "n2", "n3"}})
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: t0.Add(4 * time.Millisecond), NodeID: id, RTT: 4500 * time.Microsecond, Status: &client.NodeStatus{}})
	}
	if c := rttOfRow(t, m, "n2"); c != "4.5ms" {
		t.Fatalf("answered node: RTT %q, want 4.5ms", c)
	}
	// The next poll: n1 and n3 answer, n2 (paused) does not.
	at := t0.Add(2 * time.Second)
	m.Update(common.TickMsg{At: at})
	m.Update(common.PollsSentMsg{At: at, NodeIDs: []string{"n1", "n2", "n3"}})
	m.Update(common.NodeStatusMsg{At: at.Add(3 * time.Millisecond), NodeID: "n1", RTT: 3 * time.Millisecond, Status: &client.NodeStatus{}})
	m.Update(common.NodeStatusMsg{At: at.Add(3 * time.Millisecond), NodeID: "n3", RTT: 3 * time.Millisecond, Status: &client.NodeStatus{}})
	m.Update(common.TickMsg{At: at.Add(200 * time.Millisecond)})
	if c := rttOfRow(t, m, "n2"); c != "4.5ms" {
		t.Fatalf("a poll out for 200ms is not overdue yet: RTT %q", c)
	}
	m.Update(common.TickMsg{At: at.Add(time.Second)})
	if c := rttOfRow(t, m, "n2"); c != "> 1.0s" {
		t.Fatalf("poll unanswered for 1 s: RTT %q, want %q", c, "> 1.0s")
	}
	if c := rttOfRow(t, m, "n1"); c != "3.0ms" {
		t.Fatalf("n1 answered: RTT %q", c)
	}
	if tsv := copyTSV(t, m); !strings.Contains(tsv, "n2\t127.0.0.1:7448\talive\t") || strings.Contains(tsv, "4500") {
		t.Fatalf("the copied table still has n2's old round trip:\n%s", tsv)
	}
	m.sort = common.SortState{Column: "RTT"}
	if got := m.visibleNodes(); fmt.Sprint(got) != "[n1 n3 n2]" {
		t.Fatalf("sorted by RTT: %v, want the overdue node last", got)
	}
	m.Update(common.NodeStatusMsg{At: at.Add(1500 * time.Millisecond), NodeID: "n2", RTT: 1500 * time.Millisecond,
		Err: fmt.Errorf("node status n2: %w", context.DeadlineExceeded)})
	if c := rttOfRow(t, m, "n2"); c != "timeout" {
		t.Fatalf("poll timed out: RTT %q", c)
	}
	// Still hung: the next poll waits, and the failure stays shown (not
	// "> 1.0s", which after "timeout" would read as progress).
	at = at.Add(2 * time.Second)
	m.Update(common.TickMsg{At: at})
	m.Update(common.PollsSentMsg{At: at, NodeIDs: []string{"n2"}})
	m.Update(common.TickMsg{At: at.Add(time.Second)})
	if c := rttOfRow(t, m, "n2"); c != "timeout" {
		t.Fatalf("the next poll of a node that timed out waits: RTT %q, want timeout", c)
	}
	m.Update(common.NodeStatusMsg{At: at.Add(1500 * time.Millisecond), NodeID: "n2", RTT: 1500 * time.Millisecond,
		Err: fmt.Errorf("node status n2: %w", context.DeadlineExceeded)})
	// Resumed: the next poll answers.
	at = at.Add(4 * time.Second)
	m.Update(common.TickMsg{At: at})
	m.Update(common.PollsSentMsg{At: at, NodeIDs: []string{"n2"}})
	m.Update(common.NodeStatusMsg{At: at.Add(2 * time.Millisecond), NodeID: "n2", RTT: 2 * time.Millisecond, Status: &client.NodeStatus{}})
	m.Update(common.TickMsg{At: at.Add(time.Second)})
	if c := rttOfRow(t, m, "n2"); c != "2.0ms" {
		t.Fatalf("answering again: RTT %q", c)
	}
}

// TestUnreachableNodeShowsNoRTT: the root marks a node unreachable (the
// client cannot reach it, and it answered no poll since): the health column
// says "unreachable", so the RTT column must not keep the round trip of an
// answer older than that.
func TestUnreachableNodeShowsNoRTT(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(100, 30)
	v := uitest.View(3, 3, 64, 4)
	m.Update(common.TopologyMsg{At: t0, View: v})
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n3", RTT: 4500 * time.Microsecond, Status: &client.NodeStatus{}})
	marked := *v
	marked.Nodes = append([]client.ClusterNode(nil), v.Nodes...)
	marked.Nodes[2].Role, marked.Nodes[2].Unreachable = "unreachable", true
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: &marked,
		Event: &client.TopologyEvent{PreviousEpoch: v.Epoch, CurrentEpoch: v.Epoch, LeaderChanges: map[uint32]string{}}})
	if c := rttOfRow(t, m, "n3"); c != "-" {
		t.Fatalf("node shown unreachable: RTT %q, want -", c)
	}
}

// rttOfRow is the last column of node id's row in the nodes table.
func rttOfRow(t *testing.T, m *Model, id string) string {
	t.Helper()
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, " "+id+" ") && strings.Contains(l, "127.0.0.1:") {
			cells := strings.Fields(l)
			last := cells[len(cells)-1]
			if len(cells) > 1 && cells[len(cells)-2] == ">" {
				return "> " + last
			}
			return last
		}
	}
	t.Fatalf("no row for %s:\n%s", id, m.View())
	return ""
}

func copyTSV(t *testing.T, m *Model) string {
	t.Helper()
	_, tsv, ok := m.CopyTable()
	if !ok {
		t.Fatal("nothing to copy")
	}
	return tsv
}
