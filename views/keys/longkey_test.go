package keys

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// TestLongKeyIsShownCut: a 1,005-byte key (the server takes up to 1,024)
// is cut with "…" in the list, and in the detail and editor titles also
// with its length, and the editor still says which version it read. Before,
// each line was cut at the edge without a mark (the key looked 76 bytes
// long), and the editor's "read at version" fell off the line.
func TestLongKeyIsShownCut(t *testing.T) {
	long := "long:" + strings.Repeat("x", 1000)
	_, h := scannedHarness(t, 80, 24, long, "v")
	lines := strings.Split(h.m.View(), "\n")
	if row := lines[2]; !strings.Contains(row, "long:xxx") || !strings.Contains(row, "x…") {
		t.Errorf("list row of a long key, cut without a mark: %q", row)
	}
	h.press("enter")
	title := strings.Split(h.m.View(), "\n")[0]
	if !strings.Contains(title, "x…") || !strings.HasSuffix(strings.TrimRight(title, " "), "(1,005 bytes)") {
		t.Errorf("detail title of a long key: %q", title)
	}
	h.press("e")
	title = strings.Split(h.m.View(), "\n")[0]
	if !strings.Contains(title, "x…") || !strings.Contains(title, "(1,005 bytes)") || !strings.Contains(title, "read at version") {
		t.Errorf("editor title of a long key: %q", title)
	}
	for _, sz := range [][2]int{{40, 10}, {200, 60}} {
		h.m.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
	}
}
