package cluster

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// `t` moves the leader to the next replica that can take it: one the
// cluster reports dead or suspect, or the console cannot reach, is skipped
// (a move to a paused node waited the whole timeout and failed with
// "deadline exceeded"). With none left, `t` says so at once, and the
// palette's moves to such nodes are disabled with the reason.
func TestTransferSkipsReplicasThatAreDown(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(80, 24)
	v := uitest.View(7, 3, 1024, 16) // shard 0: n1 leads, then n2, n3
	v.Nodes[1].Role = "dead"
	m.Update(common.TopologyMsg{At: t0, View: v})
	press := func() tea.Msg { return m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")})() }
	ra, ok := press().(common.RunActionMsg)
	if !ok || !strings.HasSuffix(ra.Action.Title, "to n3") {
		t.Fatalf("t with n2 dead: %#v, want a move to n3", ra)
	}
	var disabled []string
	for _, a := range m.Actions() {
		if a.Disabled != nil {
			disabled = append(disabled, a.Title+": "+a.Disabled.Error())
		}
	}
	if len(disabled) != 1 || !strings.Contains(disabled[0], "to n2") || !strings.Contains(disabled[0], "dead") {
		t.Fatalf("palette moves disabled: %q, want the one to n2 (dead)", disabled)
	}

	v = uitest.View(8, 3, 1024, 16)
	v.Nodes[1].Role = "suspect"
	v.Nodes[2].Unreachable = true
	m.Update(common.TopologyMsg{At: t0, View: v})
	em, ok := press().(common.ErrorMsg)
	if !ok {
		t.Fatalf("t with every other replica down asked to confirm a move: %#v", em)
	}
	for _, want := range []string{"shard 0", "n2 suspect", "n3 unreachable"} {
		if !strings.Contains(em.Err.Error(), want) {
			t.Errorf("refusal %q lacks %q", em.Err, want)
		}
	}
}
