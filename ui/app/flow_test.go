package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/ui"
)

// startSession starts the embedded cluster with sample data, as `go run .`
// does, and a model rendering plain ASCII.
func startSession(t *testing.T) (*Session, tea.Model) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Resolve(Flags{}, emptyFile())
	if err != nil {
		t.Fatal(err)
	}
	sess, err := Start(ctx, s, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Log(err) // a server shutdown problem, reported to the server's owner
		}
	})
	// Seed before the model runs, so flows find the sample data; the
	// console's own background seeding is tested on its own.
	sctx, scancel := context.WithTimeout(context.Background(), ui.SeedBudget) // its own budget, as in the console
	defer scancel()
	if rep := sess.Seed(sctx, nil); len(rep.Missing) > 0 {
		t.Fatalf("sample data incomplete: %+v", rep)
	}
	sess.SeedAtStart = false
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m, err := NewModel(s, sess, r)
	if err != nil {
		t.Fatal(err)
	}
	return sess, m
}

func waitFor(t *testing.T, tm *teatest.TestModel, what ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range what {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

func enter(tm *teatest.TestModel) { tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) }

// TestFlowMoveLeaderFromThePalette: start on the embedded cluster, see three
// alive nodes and an epoch, move a leader from the palette, see the event in
// the timeline and the heatmap change.
func TestFlowMoveLeaderFromThePalette(t *testing.T) {
	sess, m := startSession(t)
	if got := sess.Cluster.LeaderOf(0); got != "n1" {
		t.Fatalf("shard 0 starts led by %q, want n1 (the preferred leader)", got)
	}
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	// Each wait sees only the output written since the previous one.
	waitFor(t, tm, "nodes 3/3 alive", "epoch ", "connected", "   0 @111111111111111111111111111111111111111111111111111111111111111")

	tm.Type(":")
	tm.Type("move leader of shard 0 to n2")
	waitFor(t, tm, "Move leader of shard 0 to n2")
	enter(tm)
	waitFor(t, tm, "Move the leader of shard 0 (and its group) to n2?")
	tm.Type("y")
	// The status line reports it and the heatmap's first row (group 0) turns to n2.
	waitFor(t, tm, "leader is now n2", "   0 @222222222222222222222222222222222222222222222222222222222222222")
	if got := sess.Cluster.LeaderOf(0); got != "n2" {
		t.Fatalf("the cluster says shard 0 is led by %q after the move", got)
	}

	// The group moves straight to n2, or through a view without a leader
	// ("171 shards n1 -> (none)", then "(none) -> n2"), depending on when
	// the views were taken.
	first, end := sess.Cluster.Layout().ShardsOfGroup(0)
	tm.Type("2")
	waitFor(t, tm, "TOPOLOGY EVENTS", fmt.Sprintf(" -> n2 (%d-%d)", first, end-1))

	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestFlowStopAndRestartNode watches a failover: stop a node from the
// palette, see it dead and its leaders moved, restart it.
func TestFlowStopAndRestartNode(t *testing.T) {
	if testing.Short() {
		t.Skip("failover flow in -short mode")
	}
	_, m := startSession(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "nodes 3/3 alive")

	tm.Type(":")
	tm.Type("stop node n3")
	waitFor(t, tm, "Stop node n3")
	enter(tm)
	waitFor(t, tm, "Stop node n3? Its shards will elect new leaders.")
	tm.Type("y")
	waitFor(t, tm, "nodes 2/3 alive", "dead", "unreach")

	tm.Type(":")
	tm.Type("restart node n3")
	waitFor(t, tm, "Restart node n3")
	enter(tm)
	tm.Type("y")
	waitFor(t, tm, "restart node n3: node rejoined")
	waitFor(t, tm, "nodes 3/3 alive")

	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestFlowPutAndGetFromThePalette writes and reads a key through the
// palette and sees the result and its latency in the status line.
func TestFlowPutAndGetFromThePalette(t *testing.T) {
	_, m := startSession(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 30))
	waitFor(t, tm, "nodes 3/3 alive")
	tm.Type(":")
	tm.Type("put key")
	waitFor(t, tm, "Put key")
	enter(tm)
	tm.Type("flow:1=hello")
	enter(tm)
	waitFor(t, tm, `Write flow:1=hello?`)
	tm.Type("y")
	waitFor(t, tm, `put "flow:1": written, version`, "last op ")
	tm.Type(":")
	tm.Type("get key")
	waitFor(t, tm, "Get key")
	enter(tm)
	tm.Type("user:1")
	enter(tm)
	waitFor(t, tm, `get "user:1": "{\"name\":\"Ada Lovelace\"`)
	tm.Type(":")
	tm.Type("get key")
	waitFor(t, tm, "Get key")
	enter(tm)
	tm.Type("missing:key")
	enter(tm)
	waitFor(t, tm, "key not found", "check the shard or key")
	// The stats pane shows the calls with latencies from the client's histograms.
	tm.Type("3")
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return regexp.MustCompile(`get +\d+\.\d +[\d.]+(ms|µs) +[\d.]+(ms|µs) +[\d.]+(ms|µs) +1 `).Match(b)
	}, teatest.WithDuration(10*time.Second))
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestFlowClusterGoesAway: every node stops; the header says reconnecting
// and the console keeps running; nodes come back and it recovers.
func TestFlowClusterGoesAway(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-cluster outage flow in -short mode")
	}
	sess, m := startSession(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "nodes 3/3 alive", "connected")
	for _, id := range sess.Cluster.NodeIDs() {
		done := make(chan error, 1)
		go func() { done <- sess.Cluster.StopNode(id) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("embedded cluster: StopNode(%s) did not return within 30s", id)
		}
	}
	waitFor(t, tm, "reconnecting")
	tm.Type("3") // still responsive
	waitFor(t, tm, "OPERATION")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Restart them together: each waits for its groups to elect leaders,
	// which needs a quorum of the others back.
	errs := make(chan error, 3)
	for _, id := range sess.Cluster.NodeIDs() {
		go func() { errs <- sess.Cluster.RestartNode(ctx, id) }()
	}
	for range sess.Cluster.NodeIDs() {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, tm, "connected")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
