package events

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// presenter feeds the pane the views the root gives it: the cluster's view
// with the root's roles over it ("no answer", "unreachable"), and the
// status answers, as the root does (its view first, then the answer).
type presenter struct {
	t     *testing.T
	m     *Model
	base  *client.ClusterView
	roles map[string]string
	at    time.Time
}

func newPresenter(t *testing.T) *presenter {
	m := New(uitest.Common())
	m.SetSize(160, 40)
	p := &presenter{t: t, m: m, base: uitest.View(7, 3, 1024, 16), roles: map[string]string{}, at: t0}
	m.Update(common.TopologyMsg{At: p.at, View: p.view()})
	return p
}

func (p *presenter) view() *client.ClusterView {
	v := *p.base
	v.Nodes = append([]client.ClusterNode(nil), p.base.Nodes...)
	for i, n := range v.Nodes {
		if r, ok := p.roles[n.ID]; ok {
			v.Nodes[i].Role = r
			v.Nodes[i].Unreachable = r == "unreachable"
		}
	}
	return &v
}

// set gives node id the role after d, as the root's reassess does (same
// epoch).
func (p *presenter) set(d time.Duration, id, role string) {
	p.at = p.at.Add(d)
	if role == "alive" {
		delete(p.roles, id)
	} else {
		p.roles[id] = role
	}
	p.m.Update(common.TopologyMsg{At: p.at, View: p.view(),
		Event: &client.TopologyEvent{PreviousEpoch: p.base.Epoch, CurrentEpoch: p.base.Epoch, LeaderChanges: map[uint32]string{}}})
}

// answer is node id's status answer after rtt, which made it alive again.
func (p *presenter) answer(id string, rtt time.Duration) {
	p.set(0, id, "alive")
	p.m.Update(common.NodeStatusMsg{At: p.at, NodeID: id, RTT: rtt, Status: &client.NodeStatus{NodeID: id}})
}

// moveGroup is a real change: group g's leader moves to id, a new epoch.
func (p *presenter) moveGroup(d time.Duration, g int, id string) {
	p.at = p.at.Add(d)
	v, ev := uitest.MoveGroup(p.base, 16, g, id)
	p.base = v
	p.m.Update(common.TopologyMsg{At: p.at, View: p.view(), Event: ev})
}

// slowPoll is a poll of node id answered after rtt: "no answer" from
// 0.5 s until then. The next poll goes a second later, or at the tick
// after the answer.
func (p *presenter) slowPoll(id string, rtt time.Duration) {
	poll := p.at
	p.at = poll.Add(500 * time.Millisecond)
	p.set(0, id, roleNoAnswer)
	p.at = poll.Add(rtt)
	p.answer(id, rtt)
	p.at = poll.Add(max(time.Second, rtt.Truncate(time.Second)+time.Second))
}

func (p *presenter) lines() []string {
	var out []string
	for _, e := range p.m.Entries() {
		out = append(out, strings.Join(e.lines(), " / "))
	}
	return out
}

// TestASlowNodeIsOneEntryNotAFlood: on a saturated machine status answers
// take 0.6-2 s, and the root shows such a node "no answer" from 0.5 s
// until its answer comes: about every second, each node. The timeline
// made two entries of every such spell ("n2 alive -> no answer", "n2 no
// answer -> alive"), 60 for 30 slow answers, burying the leader moves and
// nodes down it is read for. Now a node's spells within a minute are one
// entry that counts them; a leader move among them is its own entry; a
// node that stops answering and then is unreachable shows both at once;
// a node lost and found (alive -> unreachable -> alive) is as before.
func TestASlowNodeIsOneEntryNotAFlood(t *testing.T) {
	p := newPresenter(t)
	// n2 answers every poll late, 30 times in 30 s; the longest 1.4 s.
	for i := 0; i < 30; i++ {
		rtt := 700 * time.Millisecond
		if i == 11 {
			rtt = 1400 * time.Millisecond
		}
		p.slowPoll("n2", rtt)
		if i == 14 {
			p.moveGroup(0, 1, "n1") // an election among the spells
		}
	}
	got := p.lines()
	t.Logf("timeline:\n%s", strings.Join(got, "\n"))
	if len(got) != 3 {
		t.Fatalf("%d entries after 30 slow answers of n2 and a leader move, want 3 (the first view, the move, one for n2's spells):\n%s",
			len(got), strings.Join(got, "\n"))
	}
	// The move (at 16 s) is its own entry; n2's, moved up at each of its
	// spells (bump), is newer, at its last spell, and says when the first was.
	if !strings.Contains(got[1], "64 shards n2 -> n1") {
		t.Errorf("the leader move is not its own entry: %q", got[1])
	}
	// From the first spell (0.5 s) to the last answer (30.7 s).
	if want := "n2 slow to answer: 30 times in 30s (first 03:04:05), longest answer 1.4s"; !strings.HasSuffix(got[0], want) {
		t.Errorf("n2's entry %q, want it to end %q", got[0], want)
	}
	if e := p.m.Entries()[0]; !e.At.Equal(t0.Add(30*time.Second+500*time.Millisecond)) || e.Epoch != 8 {
		t.Errorf("n2's entry is at %s, epoch %d, want its last spell's time (30.5 s), epoch 8", e.At.Format("15:04:05.000"), e.Epoch)
	}
	// While a spell lasts, the entry says so.
	p.set(500*time.Millisecond, "n2", roleNoAnswer)
	if got := p.lines(); len(got) != 3 || !strings.HasSuffix(got[0], "31 times in 31s (first 03:04:05), longest answer 1.4s; no answer now") {
		t.Errorf("n2 not answering again:\n%s", strings.Join(got, "\n"))
	}
	p.at = p.at.Add(100 * time.Millisecond)
	p.answer("n2", 600*time.Millisecond)

	// Past a minute from its first spell, a new entry.
	p.at = p.at.Add(40 * time.Second)
	p.slowPoll("n2", 900*time.Millisecond)
	if got := p.lines(); len(got) != 4 || !strings.HasSuffix(got[0], "n2 slow to answer: once, answered in 0.9s") {
		t.Fatalf("n2 slow again 70 s later: want a new entry:\n%s", strings.Join(got, "\n"))
	}

	// n3 stops answering, then is unreachable: both at once, then back.
	before := len(p.lines())
	p.set(5*time.Second, "n3", roleNoAnswer)
	if got := p.lines(); len(got) != before+1 || !strings.HasSuffix(got[0], "n3 alive -> no answer: its status poll is overdue (slow or hung)") {
		t.Fatalf("n3 not answering: not said at once:\n%s", strings.Join(got, "\n"))
	}
	p.set(time.Second, "n3", "unreachable")
	got = p.lines()
	if len(got) != before+2 || !strings.HasSuffix(got[0], "epoch 8 -> 8  n3 no answer -> unreachable") ||
		!strings.HasSuffix(got[1], "n3 alive -> no answer: its status poll is overdue (slow or hung); then unreachable") {
		t.Fatalf("n3 unreachable after not answering: not said at once:\n%s", strings.Join(got, "\n"))
	}
	p.answer("n3", 2*time.Millisecond)
	if got := p.lines(); len(got) != before+3 || !strings.HasSuffix(got[0], "epoch 8 -> 8  n3 unreachable -> alive") {
		t.Fatalf("n3 back:\n%s", strings.Join(got, "\n"))
	}
	// Its next spell is a new entry, after the loss.
	p.at = p.at.Add(time.Second)
	p.slowPoll("n3", 800*time.Millisecond)
	if got := p.lines(); len(got) != before+4 || !strings.HasSuffix(got[0], "n3 slow to answer: once, answered in 0.8s") {
		t.Fatalf("n3 slow after coming back:\n%s", strings.Join(got, "\n"))
	}

	// n1 lost and found: exactly as before.
	before = len(p.lines())
	p.set(time.Second, "n1", "unreachable")
	p.answer("n1", 2*time.Millisecond)
	got = p.lines()
	if len(got) != before+2 || !strings.HasSuffix(got[1], "epoch 8 -> 8  n1 alive -> unreachable") || !strings.HasSuffix(got[0], "epoch 8 -> 8  n1 unreachable -> alive") {
		t.Fatalf("n1 lost and found:\n%s", strings.Join(got, "\n"))
	}
}

// TestSlowRunsOfSeveralNodesAndAClearedTimeline: spells of two nodes
// interleaved are one entry each; a spell after the timeline was cleared
// (c) starts a new entry instead of updating one no longer shown.
func TestSlowRunsOfSeveralNodesAndAClearedTimeline(t *testing.T) {
	p := newPresenter(t)
	for i := 0; i < 10; i++ {
		poll := p.at
		p.set(500*time.Millisecond, "n2", roleNoAnswer)
		p.set(100*time.Millisecond, "n3", roleNoAnswer)
		p.at = poll.Add(700 * time.Millisecond)
		p.answer("n3", 700*time.Millisecond)
		p.at = poll.Add(800 * time.Millisecond)
		p.answer("n2", 800*time.Millisecond)
		p.at = poll.Add(time.Second)
	}
	got := p.lines()
	// n2: 0.5 s to 9.8 s; n3: 0.6 s to 9.7 s.
	if len(got) != 3 || !strings.HasSuffix(got[0], "n3 slow to answer: 10 times in 9.1s (first 03:04:05), longest answer 0.7s") ||
		!strings.HasSuffix(got[1], "n2 slow to answer: 10 times in 9.3s (first 03:04:05), longest answer 0.8s") {
		t.Fatalf("two slow nodes:\n%s", strings.Join(got, "\n"))
	}
	p.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	p.slowPoll("n2", 600*time.Millisecond)
	if got := p.lines(); len(got) != 1 || !strings.HasSuffix(got[0], "n2 slow to answer: once, answered in 0.6s") {
		t.Fatalf("after the timeline was cleared:\n%s", strings.Join(got, "\n"))
	}
	if v := p.m.View(); !strings.Contains(v, fmt.Sprintf("%d this session", 1)) {
		t.Errorf("title after the clear:\n%s", v)
	}
}
