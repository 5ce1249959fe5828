package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/common"
)

// TestReadOnlyRootWritesRefusedBeforeAnyPrompt: on a read-only profile the
// root's write commands (put, leader move, :seed) are listed off and refused
// without asking for an argument or a confirmation.
func TestReadOnlyRootWritesRefusedBeforeAnyPrompt(t *testing.T) {
	m := newRoot(t, 100, 30, func(c *common.Common) { c.ReadOnly = true })
	for _, a := range m.actions() {
		switch a.Title {
		case "Put key", "Move a shard's leader":
			if !errors.Is(a.Disabled, common.ErrReadOnly) {
				t.Errorf("%s is not off on a read-only profile", a.Title)
			}
		case "Get key", "Message log", "Trace key routing":
			if a.Disabled != nil {
				t.Errorf("%s is off: %v", a.Title, a.Disabled)
			}
		}
	}
	send(m, press(":"))
	typeText(m, "put key")
	send(m, press("enter"))
	if m.PaletteStage() != "" || m.LastError() == nil || !strings.Contains(m.LastError().Error(), "read-only") {
		t.Fatalf("put on read-only: stage %q, err %v", m.PaletteStage(), m.LastError())
	}
}
