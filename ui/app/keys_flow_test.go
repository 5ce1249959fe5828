package app

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestFlowKeysPane: browse the sample keys, filter by prefix, open one,
// edit it (a compare-and-swap save), and go back with esc.
func TestFlowKeysPane(t *testing.T) {
	sess, m := startSession(t)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "nodes 3/3 alive")
	tm.Type("5")
	waitFor(t, tm, "[5 Keys]", "KEYS", "session:7f3a9c", "user:1")

	tm.Type("/")
	tm.Type("user:3")
	enter(tm)
	waitFor(t, tm, `prefix "user:3"`, "keys 1-1 · last page")
	enter(tm)
	waitFor(t, tm, "KEY user:3", "Grace Hopper", "served by n")

	tm.Type("e")
	waitFor(t, tm, "EDIT user:3")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlE}) // end of the line
	tm.Type("!")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	waitFor(t, tm, `save user:3: written, version`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := sess.Client.Get(ctx, []byte("user:3"), nil)
	if err != nil || !strings.HasSuffix(string(got.Value), "}!") {
		t.Fatalf("user:3 after the edit: %q, %v", got.Value, err)
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyEsc}) // back to the list
	waitFor(t, tm, "SHARD", "VERSION")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
