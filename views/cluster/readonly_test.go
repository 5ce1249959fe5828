package cluster

import (
	"errors"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// On a read-only profile `t` refuses at once (no confirmation first), the
// palette lists the moves disabled and help marks the key off.
func TestReadOnlyTransferRefusedBeforeConfirming(t *testing.T) {
	c := uitest.Common()
	c.ReadOnly = true
	m := New(c)
	m.SetSize(80, 24)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")})
	if cmd == nil {
		t.Fatal("t did nothing")
	}
	switch msg := cmd().(type) {
	case common.RunActionMsg:
		t.Fatalf("t asked the palette to confirm %q on a read-only profile", msg.Action.Title)
	case common.OpResultMsg:
		if !errors.Is(msg.Err, common.ErrReadOnly) {
			t.Fatalf("refusal: %v", msg.Err)
		}
	default:
		t.Fatalf("t gave %T", msg)
	}
	acts := m.Actions()
	if len(acts) == 0 {
		t.Fatal("no transfer actions")
	}
	for _, a := range acts {
		if !errors.Is(a.Disabled, common.ErrReadOnly) {
			t.Errorf("%s is not disabled", a.Title)
		}
	}
	if d := m.ShortHelp()[2].Help().Desc; !common.IsReadOnlyHelp(d) {
		t.Errorf("help for t: %q", d)
	}
}
