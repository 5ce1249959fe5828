package cluster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// travelPane receives epoch 7 (3 nodes), then epoch 8 (group 1 moved to n1),
// then epoch 9 (n2 suspect), and travels back to epoch 7.
func travelPane(t *testing.T, w, h int) *Model {
	t.Helper()
	m := newPane(w, h)
	v8, ev8 := uitest.MoveGroup(m.ClusterView(), 16, 1, "n1")
	m.Update(common.TopologyMsg{At: t0.Add(time.Second), View: v8, Event: ev8})
	v9 := &client.ClusterView{Epoch: 9, Nodes: append([]client.ClusterNode(nil), v8.Nodes...), Shards: v8.Shards}
	v9.Nodes[1].Role = "suspect"
	m.Update(common.TopologyMsg{At: t0.Add(2 * time.Second), View: v9, Event: &client.TopologyEvent{PreviousEpoch: 8, CurrentEpoch: 9}})
	if cmd := m.Update(common.TimeTravelMsg{Epoch: 7, At: t0}); cmd != nil {
		if msg, ok := cmd().(common.ErrorMsg); ok {
			t.Fatalf("travel to epoch 7: %v", msg.Err)
		}
	}
	return m
}

func TestGoldenTimeTravel(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := travelPane(t, sz[0], sz[1])
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

// The past epoch is shown with its own leaders and health, the shards whose
// leader differs now are marked, and esc returns to the live view.
func TestTimeTravelShowsThePastAndEscReturns(t *testing.T) {
	m := travelPane(t, 100, 40)
	if e, ok := m.Travelling(); !ok || e != 7 || m.ClusterView().Epoch != 7 {
		t.Fatalf("travelling = %d %v, view epoch %d; want epoch 7", e, ok, m.ClusterView().Epoch)
	}
	if m.travel.moved != 64 {
		t.Errorf("%d shards marked as led elsewhere now, want group 1's 64", m.travel.moved)
	}
	if m.kindOf(64) != m.kindOf(64).base()+diffBit || m.kindOf(0) >= diffBit {
		t.Errorf("shard 64 (moved since) kind %d, shard 0 (same) kind %d", m.kindOf(64), m.kindOf(0))
	}
	v := m.View()
	for _, want := range []string{"TIME TRAVEL epoch 7", "now 9", "64 shards led elsewhere now", "esc: live",
		"now suspect", "now suspect, 256 leads (-64)", "now 448 leads (+64)", "!!!!", "leader differs now"} {
		if !strings.Contains(v, want) {
			t.Errorf("time travel view lacks %q:\n%s", want, v)
		}
	}
	// Epoch 10 arrives while travelling: the past stays, now moves on.
	v10 := &client.ClusterView{Epoch: 10, Nodes: m.live.Nodes, Shards: m.live.Shards}
	m.Update(common.TopologyMsg{At: t0.Add(3 * time.Second), View: v10, Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 10}})
	if m.ClusterView().Epoch != 7 || !strings.Contains(m.View(), "now 10") {
		t.Fatalf("a live view while travelling replaced the past:\n%s", m.View())
	}
	if a := m.Actions(); len(a) != 1 || !strings.Contains(a[0].Title, "Back to the live view") {
		t.Fatalf("palette while travelling = %+v", a)
	}
	used, cmd := m.Back()
	if !used || cmd == nil {
		t.Fatal("esc while travelling was not used")
	}
	if msg, ok := cmd().(common.TimeTravelMsg); !ok || !msg.Live {
		t.Fatalf("esc sent %#v, want TimeTravelMsg{Live}", cmd())
	}
	if _, ok := m.Travelling(); ok || m.ClusterView().Epoch != 10 || strings.Contains(m.View(), "TIME TRAVEL") {
		t.Fatalf("after esc: epoch %d\n%s", m.ClusterView().Epoch, m.View())
	}
	if used, _ := m.Back(); used {
		t.Error("esc on the live view was used (the root's esc should get it)")
	}
}

func TestTimeTravelRefusesTransferAndUnknownEpochs(t *testing.T) {
	m := travelPane(t, 100, 40)
	cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")})
	if msg, ok := cmd().(common.ErrorMsg); !ok || !strings.Contains(msg.Err.Error(), "esc returns to the live view") {
		t.Fatalf("t while travelling: %#v", cmd())
	}
	cmd = m.Update(common.TimeTravelMsg{Epoch: 3})
	if msg, ok := cmd().(common.ErrorMsg); !ok || !strings.Contains(msg.Err.Error(), "epoch 3 is no longer in the history") {
		t.Fatalf("travel to an unknown epoch: %#v", cmd())
	}
}

// The history reports its size for the stats pane with every view.
func TestHistoryReported(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	cmd := m.Update(common.TopologyMsg{At: t0, View: uitest.View(1, 3, 1024, 16)})
	var got *common.HistoryMsg
	for _, msg := range drain(cmd) {
		if h, ok := msg.(common.HistoryMsg); ok {
			got = &h
		}
	}
	if got == nil || got.Epochs != 1 || got.Bytes <= 0 {
		t.Fatalf("history message = %+v", got)
	}
}

func TestExactSizeWhileTravelling(t *testing.T) {
	for _, sz := range uitest.Sizes {
		m := travelPane(t, sz[0], sz[1])
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}

// drain runs cmd and the commands of batches it returns, collecting the
// messages.
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, drain(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
