package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/views/keys"
)

// TestKeysPaneThroughTheRoot: the keys pane is tab 5; its form owns the
// keyboard (q types, esc closes the form, not the console), and read-only
// profiles refuse writes in the status line.
func TestKeysPaneThroughTheRoot(t *testing.T) {
	m := newRoot(t, 100, 30)
	send(m, press("5"))
	kp, ok := m.Active().(*keys.Model)
	if !ok {
		t.Fatalf("tab 5 is %s", m.Active().Title())
	}
	send(m, press("a"))
	if kp.Mode() != "new" {
		t.Fatalf("a: mode %s", kp.Mode())
	}
	_, cmd := m.Update(press("q"))
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q in the new-key form quit the console")
		}
	}
	send(m, press("esc"))
	if kp.Mode() != "list" || m.Active() != common.Pane(kp) {
		t.Fatalf("esc: mode %s, pane %s", kp.Mode(), m.Active().Title())
	}
	if bad, err := CheckKeys(map[string][]string{"keys.save": {"ctrl+w"}}); err != nil {
		t.Fatalf("keys.save not rebindable: %s %v", bad, err)
	}

	ro := newRoot(t, 100, 30, func(c *common.Common) { c.ReadOnly = true })
	send(ro, press("5"))
	send(ro, press("a"))
	if err := ro.LastError(); err == nil || !strings.Contains(ro.View(), "put a new key: read-only profile") {
		t.Fatalf("read-only put: %v\n%s", err, ro.View())
	}
}
