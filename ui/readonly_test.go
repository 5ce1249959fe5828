package ui

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/common"
)

// Through the root on a read-only profile: the Cluster pane's `t` opens no
// confirmation, and help lists the key as off.
func TestReadOnlyRefusesBeforeAnyPromptThroughTheRoot(t *testing.T) {
	m := newRoot(t, 120, 40, func(c *common.Common) { c.ReadOnly = true })
	send(m, press("1"))
	send(m, press("t"))
	if m.PaletteStage() != "" {
		t.Fatalf("t on a read-only profile opened the palette at %q", m.PaletteStage())
	}
	if err := m.LastError(); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("last error %v, want a read-only refusal", err)
	}
	send(m, press("?"))
	if v := m.View(); !strings.Contains(v, "move shard leader"+common.ReadOnlyNote) {
		t.Fatalf("help does not mark t off:\n%s", v)
	}
}
