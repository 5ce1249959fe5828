package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestATimedOutCallOnANodeThatAnswersIsNotALoss: found in tmux with two of
// three serve nodes stopped. A Put on the third (its group had no
// majority) waited for its deadline, the client flagged the node, and the
// console said "no node of the cluster answers: showing the last view
// known" and a second later "reachable again: n3", which had answered
// every status poll. The flag now waits for a poll: the next one answers,
// and nothing is said; one that fails counts at once.
func TestATimedOutCallOnANodeThatAnswersIsNotALoss(t *testing.T) {
	errPoll := errors.New("context deadline exceeded")
	m := newRoot(t, 120, 30)
	m.connState = StateConnected
	st := client.Stats{}
	st.Topology.ViewsReceived = 5
	at := t0
	answer := func(id string) {
		send(m, common.NodeStatusMsg{At: at, NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id}})
	}
	for _, id := range []string{"n1", "n2", "n3"} {
		answer(id)
	}
	send(m, common.StatsMsg{At: at, Stats: st})
	// n1 and n2 stop answering: their polls fail.
	at = at.Add(2 * time.Second)
	for _, id := range []string{"n1", "n2"} {
		send(m, common.NodeStatusMsg{At: at, NodeID: id, Err: errPoll})
	}
	answer("n3")
	// A call to n3 times out: the client flags it; n3 answers its next poll.
	at = at.Add(time.Second)
	st.Topology.UnreachableNodes = []string{"n3"}
	send(m, common.StatsMsg{At: at, Stats: st})
	if got := m.Unreachable(); strings.Join(got, " ") != "n1 n2" {
		t.Errorf("n3 flagged a second after it answered: unreachable %v, want n1 n2", got)
	}
	at = at.Add(time.Second)
	answer("n3")
	send(m, common.StatsMsg{At: at, Stats: st}) // the flag lasts a while
	if got := m.Unreachable(); strings.Join(got, " ") != "n1 n2" || m.ConnState() != StateDegraded {
		t.Errorf("n3 answered after the flag: unreachable %v, state %s", got, m.ConnState())
	}
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "no node of the cluster answers") || strings.Contains(e.Text, "reachable again") {
			t.Errorf("said %q of a node that answered every poll", e.Text)
		}
	}
	// Its poll fails: unreachable at once.
	at = at.Add(time.Second)
	send(m, common.NodeStatusMsg{At: at, NodeID: "n3", Err: errPoll})
	if got := m.Unreachable(); len(got) != 3 {
		t.Errorf("n3's poll failed: unreachable %v, want all three", got)
	}
}
