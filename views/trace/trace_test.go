package trace

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// routeOf builds the route the client reports for key on view v with a
// leader cache filled from the view.
func routeOf(v *client.ClusterView, key string) client.Route {
	h := xxhash.Sum64String(key)
	s := client.ShardForKey([]byte(key), len(v.Shards))
	r := client.Route{Hash: h, Shard: s, LeaderID: v.Shards[s].Leader()}
	for _, rep := range v.Shards[s].Replicas {
		r.Replicas = append(r.Replicas, rep.NodeID)
	}
	n, _ := v.Node(r.LeaderID)
	r.LeaderAddr = n.Addr
	return r
}

func traced(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	v := uitest.View(7, 3, 1024, 16)
	m.Update(common.TopologyMsg{At: t0, View: v})
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n1", Status: &client.NodeStatus{Groups: []client.GroupStatus{{GroupID: 9, Shards: []int{client.ShardForKey([]byte("user:42"), 1024)}}}}})
	m.reqID = 1
	m.Update(routeMsg{reqID: 1, key: "user:42", route: routeOf(v, "user:42")})
	return m
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(traced(sz[0], sz[1]).View()))
		})
	}
}

func TestTypingCapturesInputAndStaleRepliesAreDropped(t *testing.T) {
	m := traced(80, 24)
	if m.CapturingInput() {
		t.Fatal("input focused before enter")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if !m.CapturingInput() {
		t.Fatal("enter did not focus the input")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if m.input.Value() != "user:42q" && m.input.Value() != "q" {
		t.Fatalf("typed q went elsewhere: %q", m.input.Value())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if m.CapturingInput() {
		t.Fatal("esc did not leave the input")
	}
	// A reply to an older request must not replace the current trace.
	m.Update(routeMsg{reqID: 0, key: "old", route: client.Route{}})
	if m.Traced() != "user:42" {
		t.Fatalf("stale reply replaced the trace: %q", m.Traced())
	}
	v := m.View()
	for _, want := range []string{"xxhash64", fmt.Sprintf("0x%016x", xxhash.Sum64String("user:42")), "group 9", "cached from the cluster view (epoch 7)", "127.0.0.1:"} {
		if !strings.Contains(v, want) {
			t.Errorf("trace lacks %q:\n%s", want, v)
		}
	}
}

func TestRedirectCacheIsExplained(t *testing.T) {
	m := traced(100, 20)
	r := m.result.route
	r.FromCache, r.LeaderID = true, "n3"
	m.Update(routeMsg{reqID: 1, key: "user:42", route: r})
	v := m.View()
	if !strings.Contains(v, "NOT_LEADER redirect") {
		t.Errorf("no redirect note:\n%s", v)
	}
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		empty := New(uitest.Common())
		empty.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, empty.View(), sz[0], sz[1])
		uitest.RequireSize(t, traced(sz[0], sz[1]).View(), sz[0], sz[1])
	}
}

func TestCopyTheTraceAsPlainText(t *testing.T) {
	m := traced(80, 24)
	what, text, ok := m.CopyTarget()
	if !ok || what != `shard trace of "user:42"` || strings.Contains(text, "\x1b") || !strings.Contains(text, "3 shard") || !strings.Contains(text, "6 address") {
		t.Fatalf("%q %v\n%s", what, ok, text)
	}
	if _, _, ok := New(uitest.Common()).CopyTarget(); ok {
		t.Fatal("copy before any trace")
	}
}

// Found in tmux with the cluster killed under the console: the trace of a
// key named its leader "cached from the cluster view" with its address and
// nothing said the leader did not answer; requests for the key were
// waiting on it. Step 7 says whether the leader answers its status poll.
func TestTraceSaysWhetherTheLeaderAnswers(t *testing.T) {
	m := traced(140, 20)
	leader := m.result.route.LeaderID
	m.Update(common.NodeStatusMsg{At: t0, NodeID: leader, Err: fmt.Errorf("connection refused")})
	v := m.View()
	if want := "7 reach    " + leader + " does not answer its status poll (connection refused)"; !strings.Contains(v, want) {
		t.Fatalf("trace lacks %q:\n%s", want, v)
	}
	m.Update(common.NodeStatusMsg{At: t0, NodeID: leader, RTT: 420 * time.Microsecond, Status: &client.NodeStatus{NodeID: leader}})
	if want := leader + " answers its status poll (round trip 420µs)"; !strings.Contains(m.View(), want) {
		t.Fatalf("trace lacks %q:\n%s", want, m.View())
	}
}

// The leader's error is wrapped under step 7, not cut at the pane's width.
func TestUnreachableLeadersErrorIsWrapped(t *testing.T) {
	m := traced(80, 24)
	leader := m.result.route.LeaderID
	m.Update(common.NodeStatusMsg{At: t0, NodeID: leader, Err: fmt.Errorf(`norikv: connection to 127.0.0.1:24102 failed: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:24102: connect: connection refused"`)})
	v := m.View()
	if !strings.Contains(v, "refused\");") || !strings.Contains(v, "wait for it or a new leader") {
		t.Fatalf("the leader's error is cut:\n%s", v)
	}
	uitest.RequireSize(t, v, 80, 24)
}
