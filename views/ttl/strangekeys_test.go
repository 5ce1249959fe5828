package ttl

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/uitest"
)

// TestKeysAreNotSentToTheTerminalRaw: the TTL pane printed each key's bytes
// as they were, cut and padded by runes. Seen in tmux on 3 serve --fsync
// processes: a key holding "\x1b[2J" cleared the screen, one with
// "\x1b[31m" turned the rest of the row red, and CJK or emoji keys pushed
// their row past the edge. Keys are shown as the Keys pane shows them
// (escaped, quoted), and every line fits its width as measured and as a
// terminal draws it, at 80 and 200 columns.
func TestKeysAreNotSentToTheTerminalRaw(t *testing.T) {
	keys := []string{
		"ttl\x1b[2Jclear", "ttl\x1b[31mred\x1b[0m", "bell\a", "bin\xff\xfe",
		"日本語のキー名前がとても長い日本語のキー名前がとても長い日本語のキー名前がとても長い",
		"ok👍🏽", "plain",
	}
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := newHarness(t, false, sz[0], sz[1])
			for i, k := range keys {
				h.put(k, time.Duration(i+1)*time.Minute)
			}
			h.run(h.m.Init())
			if len(h.m.rows) != len(keys) {
				t.Fatalf("listed %d keys, want %d", len(h.m.rows), len(keys))
			}
			v := h.m.View()
			for _, raw := range []string{"\x1b[2J", "\x1b[31mred", "\a", "\xff"} {
				if strings.Contains(v, raw) {
					t.Errorf("the view holds the key's raw bytes %q:\n%s", raw, v)
				}
			}
			for _, shown := range []string{`"ttl\x1b[2Jclear"`, `"bin\xff\xfe"`, `"ok👍\U0001f3fd"`, "日本語のキー"} {
				if !strings.Contains(v, shown) {
					t.Errorf("no row shows %s:\n%s", shown, v)
				}
			}
			uitest.RequireSize(t, v, sz[0], sz[1])
		})
	}
}
