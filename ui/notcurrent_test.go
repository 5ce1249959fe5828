package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestViewNotCurrentIsSaid: found in tmux with 3 serve --fsync processes
// restarted one at a time under the console. The first one up, alone,
// hears no metadata leader: it gives its view and ends the watch stream
// saying its view is not kept current, and the client says so in
// Stats().Topology.ViewNotCurrent. The console showed that view as the
// cluster's without a word. Past notCurrentAfter the header says "view
// behind" and the status line why, once; when a node sends a live view
// again the console says the view is current again.
func TestViewNotCurrentIsSaid(t *testing.T) {
	m := newRoot(t, 160, 40)
	m.connState = StateConnected
	const nc = "127.0.0.1:7001: n1 cannot follow the cluster: it has not heard from the metadata group's leader " +
		"since it started 6.0 s ago, so its view of the cluster is not kept current: watch another node"
	at := t0
	sample := func(nc string) {
		at = at.Add(time.Second)
		st := client.Stats{}
		st.Topology.ViewsReceived = 3
		st.Topology.ViewNotCurrent = nc
		send(m, common.StatsMsg{At: at, Stats: st})
	}
	sample(nc) // a node ended one stream: not yet news
	if m.ConnState() != StateConnected {
		t.Fatalf("one sample saying the view is not current: state %q", m.ConnState())
	}
	for range 4 {
		sample(nc)
	}
	if m.ConnState() != StateBehind {
		t.Fatalf("the client said for 4 s that no node sends a current view: state %q, want %q", m.ConnState(), StateBehind)
	}
	if h := strings.Split(ansi.Strip(m.View()), "\n")[0]; !strings.Contains(h, "view behind") || strings.Contains(h, "connected") {
		t.Errorf("header: %q", h)
	}
	want := "the cluster view shown (epoch 7) may be out of date: n1 cannot follow the cluster: it has not heard from the " +
		"metadata group's leader since it started 6.0 s ago, so its view of the cluster is not kept current (127.0.0.1:7001); " +
		"no node answering sends a current view"
	said := 0
	for _, e := range m.Messages() {
		if e.Text == want {
			said++
		}
	}
	if said != 1 {
		t.Errorf("said %d times, want once: %q\nmessages: %v", said, want, m.Messages())
	}
	// A node sends a live view: current again, said once.
	sample("")
	sample("")
	if m.ConnState() != StateConnected {
		t.Errorf("a live view again: state %q", m.ConnState())
	}
	if !strings.Contains(m.StatusMessage(), "cluster view current again (epoch 7)") {
		t.Errorf("status line once the view is current: %q", m.StatusMessage())
	}
}
