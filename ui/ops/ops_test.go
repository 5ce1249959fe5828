package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func TestParseTransfer(t *testing.T) {
	shard, node, err := ParseTransfer(" 17  n2 ")
	if err != nil || shard != 17 || node != "n2" {
		t.Fatalf("got %d %q %v", shard, node, err)
	}
	for _, bad := range []string{"", "17", "x n2", "-1 n2", "1 n2 n3"} {
		if _, _, err := ParseTransfer(bad); err == nil || !strings.Contains(err.Error(), "e.g.") {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestRefusals(t *testing.T) {
	ro := uitest.Common()
	ro.ReadOnly = true
	cases := []struct {
		name string
		msg  any
		want error
	}{
		{"transfer read-only", TransferLeader(ro, 1, "n2")(), ErrReadOnly},
		{"stop read-only", StopNode(ro, "n1")(), ErrReadOnly},
		{"stop external", StopNode(uitest.Common(), "n1")(), ErrNotEmbedded},
		{"restart external", RestartNode(uitest.Common(), "n1")(), ErrNotEmbedded},
		{"transfer unconnected", TransferLeader(uitest.Common(), 1, "n2")(), ErrNotConnected},
		{"put read-only", PutKey(ro, "k=v")(), ErrReadOnly},
		{"get unconnected", GetKey(uitest.Common(), "k")(), ErrNotConnected},
	}
	for _, c := range cases {
		r, ok := c.msg.(common.OpResultMsg)
		if !ok || !errors.Is(r.Err, c.want) {
			t.Errorf("%s: %#v, want %v", c.name, c.msg, c.want)
		}
	}
	r := PutKey(uitest.Common(), "novalue")().(common.OpResultMsg)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "key=value") {
		t.Errorf("put without '=': %v", r.Err)
	}
	// Hints only where they help: no blanket "try again, or press ? for help".
	if ClientErrorHint(ErrReadOnly) != "" || ClientErrorHint(errors.New("x")) != "" {
		t.Error("hints: read-only and unknown errors get none")
	}
	if ClientErrorHint(client.ErrUnsupported) == "" {
		t.Error("hints: an unsupported call says why")
	}
}

// TestNodeOpErrorsNameTheOpOnce: on the embedded cluster, stopping a
// stopped node fails with the cluster's own message, which already names
// the operation; the status line read "restart node n2: restart node n2:
// already running" (seen in tmux).
func TestNodeOpErrorsNameTheOpOnce(t *testing.T) {
	cl := startEmbedded(t)
	c := uitest.Common()
	c.Control = cl
	for _, tc := range []struct {
		msg  tea.Msg
		want string
	}{
		{StopNode(c, "n2")(), ""},
		{StopNode(c, "n2")(), "stop node n2: not running"},
		{runSteps(t, RestartNode(c, "n2"), nil), ""},
	} {
		res, ok := tc.msg.(WriteResult)
		if !ok {
			t.Fatalf("got %T, want WriteResult", tc.msg)
		}
		got := ""
		if res.Err != nil {
			got = res.Err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: error %q, want %q", res.Op, got, tc.want)
		}
	}
	// A node that cannot stop names the restart once, then why.
	bad := c
	bad.Control = stopFails{cl}
	res := runSteps(t, RestartNode(bad, "n1"), nil).(WriteResult)
	if res.Err == nil || res.Err.Error() != "restart node n1: could not stop it: disk on fire" {
		t.Errorf("restart with a failing stop: %v", res.Err)
	}
}

// stopFails is the embedded cluster whose StopNode fails as a node's own
// error would read ("stop node n1: disk on fire").
type stopFails struct{ *cluster.Cluster }

func (s stopFails) StopNode(id string) error { return fmt.Errorf("stop node %s: disk on fire", id) }

// TestRestartNodeRestartsARunningNode: the palette's "Restart node n2" on a
// running node stops it and starts it again (it said "already running"
// and did nothing), showing each step; on a stopped node it starts it.
func TestRestartNodeRestartsARunningNode(t *testing.T) {
	cl := startEmbedded(t)
	c := uitest.Common()
	c.Control = cl
	var steps []string
	res := runSteps(t, RestartNode(c, "n2"), func(p ProgressMsg) {
		steps = append(steps, p.Step)
		if p.Step != "stopping…" && cl.Running("n2") {
			t.Errorf("step %q: n2 is still running", p.Step)
		}
	}).(WriteResult)
	if res.Err != nil {
		t.Fatalf("restart of a running node: %v (steps %q)", res.Err, steps)
	}
	want := []string{"stopping…", "stopped; starting, waiting for its groups to find leaders…"}
	if fmt.Sprint(steps) != fmt.Sprint(want) {
		t.Errorf("steps %q, want %q", steps, want)
	}
	if !cl.Running("n2") || res.Info != "stopped and started again, node rejoined" || res.Audit.Op != "restart node" {
		t.Errorf("after the restart: running %v, info %q, audit %+v", cl.Running("n2"), res.Info, res.Audit)
	}
	// It serves again: its groups have leaders it knows of.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatalf("cluster not ready after the restart: %v", err)
	}
	// A stopped node is only started.
	if err := cl.StopNode("n3"); err != nil {
		t.Fatal(err)
	}
	steps = nil
	res = runSteps(t, RestartNode(c, "n3"), func(p ProgressMsg) { steps = append(steps, p.Step) }).(WriteResult)
	if res.Err != nil || !cl.Running("n3") || len(steps) != 1 || !strings.HasPrefix(steps[0], "not running; starting") {
		t.Errorf("restart of a stopped node: err %v, running %v, steps %q", res.Err, cl.Running("n3"), steps)
	}
}

func startEmbedded(t *testing.T) *cluster.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{TotalShards: 16, Groups: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// runSteps runs cmd and each ProgressMsg's Next (as the root does),
// calling each with the step, and returns the message that ends it.
func runSteps(t *testing.T, cmd tea.Cmd, each func(ProgressMsg)) tea.Msg {
	t.Helper()
	for i := 0; i < 10; i++ {
		msg := cmd()
		p, ok := msg.(ProgressMsg)
		if !ok {
			return msg
		}
		if each != nil {
			each(p)
		}
		if cmd = p.Next; cmd == nil {
			t.Fatalf("step %q has nothing next", p.Step)
		}
	}
	t.Fatal("more than 10 steps")
	return nil
}
