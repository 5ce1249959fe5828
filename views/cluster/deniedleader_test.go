package cluster

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestShardLineFollowsTheLeadersOwnDenial: found in tmux with three
// `serve --fsync` nodes (one group per node) and two of them SIGSTOPped:
// the groups table read "g0 none · no leader; n2, n3 do not answer", but
// the cursor's shard line under the heatmap still read "leader n1" and
// "client cache: agrees with the view (n1)" in the OK colour: the last
// view, which nobody could replace, named n1, whose own report since says
// it leads nothing. Every request for the shard waited for a leader. The
// shard line now says what the groups table says.
func TestShardLineFollowsTheLeadersOwnDenial(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	answerAll(m) // g0 (shards 0-21) led by n1
	m.Update(shardRouteMsg{reqID: m.reqID, shard: 0, route: client.Route{Shard: 0, LeaderID: "n1"}})
	line := shardLine(m.View())
	if !strings.Contains(line, "leader █ n1") && !strings.Contains(line, "leader [") {
		t.Fatalf("before the stop: the shard line names n1 as leader: %q\n%s", line, m.View())
	}

	// n2 and n3 stop: their polls fail; n1 answers, leading nothing.
	at := t0.Add(3 * time.Second)
	stopAllButN1(m, at, "it has not heard from the metadata group's leader for 9 s")
	m.Update(shardRouteMsg{reqID: m.reqID, shard: 0, route: client.Route{Shard: 0, LeaderID: "n1"}})

	v := m.View()
	line, cache := shardLine(v), cacheLineOf(v)
	if !strings.Contains(line, "no leader: n1 says it does not lead group 0") {
		t.Errorf("the shard line names a leader that says it leads nothing: %q\n%s", line, v)
	}
	if strings.Contains(cache, "agrees with the view") {
		t.Errorf("the cache line calls the denied leader agreeing with the view, in the OK colour: %q\n%s", cache, v)
	}
	if !strings.Contains(cache, "n1 says it does not lead") {
		t.Errorf("the cache line must say the cached leader denies leading: %q", cache)
	}

	// Back: n1 leads again, its report says so.
	at = at.Add(5 * time.Second)
	m.Update(common.TopologyMsg{At: at, View: uitest.View(10, 3, 64, 3)})
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: at.Add(time.Second), NodeID: id, RTT: time.Millisecond, Status: statusOf(id, 64, 3, 6)})
	}
	m.Update(shardRouteMsg{reqID: m.reqID, shard: 0, route: client.Route{Shard: 0, LeaderID: "n1"}})
	v = m.View()
	if line := shardLine(v); strings.Contains(line, "does not lead") || !strings.Contains(cacheLineOf(v), "agrees with the view (n1)") {
		t.Errorf("n1 leads again: %q / %q\n%s", line, cacheLineOf(v), v)
	}
}

// shardLine is the line under the heatmap about the cursor's shard.
// answerAll gives the pane a 64-shard view of 3 groups and every node's
// answer, each node leading its group.
func answerAll(m *Model) {
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(9, 3, 64, 3)})
	for _, id := range []string{"n1", "n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond, Status: statusOf(id, 64, 3, 5)})
	}
}

// stopAllButN1 is n2 and n3 stopped at at: their polls time out, and n1
// answers leading nothing (every group a candidate), cut off from the
// metadata group as cutOff says ("" when not).
func stopAllButN1(m *Model, at time.Time, cutOff string) {
	for _, id := range []string{"n2", "n3"} {
		m.Update(common.NodeStatusMsg{At: at, NodeID: id, RTT: 1500 * time.Millisecond, Err: errors.New("context deadline exceeded")})
	}
	st := statusOf("n1", 64, 3, 5)
	for i := range st.Groups {
		st.Groups[i].State = "candidate"
	}
	st.MetaCutOff = cutOff
	m.Update(common.NodeStatusMsg{At: at, NodeID: "n1", RTT: time.Millisecond, Status: st})
}

func shardLine(view string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, "shard ") {
			return l
		}
	}
	return ""
}

// cacheLineOf is the line about the client's leader cache.
func cacheLineOf(view string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, "client cache") {
			return l
		}
	}
	return ""
}

// TestHeatmapAndLeadsFollowTheLeadersOwnDenial: the same stop, the nodes
// table and the heatmap: n1's LEADS counted the 22 shards of g0 it said it
// did not lead, and the heatmap drew them as n1's.
func TestHeatmapAndLeadsFollowTheLeadersOwnDenial(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	answerAll(m)
	before := m.View()
	at := t0.Add(3 * time.Second)
	stopAllButN1(m, at, "")
	v := m.View()
	if got := leadsOf(before, "n1"); got != "22" {
		t.Fatalf("before the stop n1 leads g0's 22 shards, LEADS %q\n%s", got, before)
	}
	if got := leadsOf(v, "n1"); got != "0" {
		t.Errorf("n1 says it leads nothing: LEADS %q\n%s", got, v)
	}
	if got := leadsOf(v, "n2"); got != "21" {
		t.Errorf("n2, silent, keeps the view's count: LEADS %q", got)
	}
	for s := 0; s < 22; s++ {
		if k := m.kindOf(s); k != cellNoLeader {
			t.Fatalf("shard %d of g0 drawn as kind %d, want no leader", s, k)
		}
	}
	if k := m.kindOf(30); k == cellNoLeader {
		t.Errorf("shard 30 of g1 (led by n2 in the view, no report since) drawn without a leader")
	}
}

// leadsOf is node id's LEADS cell in the nodes table.
func leadsOf(view, id string) string {
	for _, l := range strings.Split(view, "\n") {
		f := strings.Fields(l)
		for i := 0; i+3 < len(f); i++ {
			if f[i] == id && strings.HasPrefix(f[i+1], "127.0.0.1:") {
				return f[i+3]
			}
		}
	}
	return ""
}

// TestSortByLeadsFollowsTheLeadersOwnDenial: the same stop, the nodes table
// sorted by LEADS ↓: 10efa08 made n1's LEADS read 0, but the sort still
// used the view's 22, so n1 stayed on top above n2 and n3 with 21 each:
// the order disagreed with the numbers in the column it is sorted by.
func TestSortByLeadsFollowsTheLeadersOwnDenial(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(140, 40)
	m.SetSort(common.SortState{Column: "leads", Desc: true})
	answerAll(m)
	if got := nodeOrder(m.View()); strings.Join(got, " ") != "n1 n2 n3" {
		t.Fatalf("before the stop, LEADS ↓: n1 (22) first, then n2, n3 (21): %v\n%s", got, m.View())
	}
	at := t0.Add(3 * time.Second)
	stopAllButN1(m, at, "")
	v := m.View()
	order := nodeOrder(v)
	if strings.Join(order, " ") != "n2 n3 n1" {
		t.Errorf("n1 says it leads nothing (LEADS 0): LEADS ↓ must put it last: %v\n%s", order, v)
	}
	prev := -1
	for i, id := range order {
		n, err := strconv.Atoi(leadsOf(v, id))
		if err != nil {
			t.Fatalf("%s's LEADS cell: %v", id, err)
		}
		if i > 0 && n > prev {
			t.Errorf("LEADS ↓ reads %d above %d (%s)", prev, n, id)
		}
		prev = n
	}
}

// nodeOrder is the node ids of the nodes table, top to bottom.
func nodeOrder(view string) []string {
	var out []string
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, "SHARDS") { // the heatmap: the table is above
			break
		}
		f := strings.Fields(l)
		for i := 0; i+1 < len(f); i++ {
			if strings.HasPrefix(f[i+1], "127.0.0.1:") {
				out = append(out, f[i])
				break
			}
		}
	}
	return out
}
