package keys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestEmojiClustersFitTheScreen: a key and value holding emoji with a skin
// tone, a keycap or a variation selector ("👍🏽", "#️⃣", "❤️") are measured
// as one 2-column cluster each but drawn by tmux in 4, 1 and 1 columns.
// Seen in tmux (3 serve --fsync, 80x30): opening such a key padded the
// value line past the edge, the terminal wrapped it, the screen scrolled by
// a line and the header was lost, with rows of the list left behind. The
// list, the detail and the side-by-side view fit at 80 and 200 columns as
// measured and as a terminal adding up code points draws them, and the
// key still reads back as typed.
func TestEmojiClustersFitTheScreen(t *testing.T) {
	key := "ok👍🏽"
	value := "👍🏽value🇯🇵 #️⃣ ❤️ 日本語 café"
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			h := newHarness(t, uitest.Common(), sz[0], sz[1])
			h.send(common.TickMsg{At: t0})
			h.send(pageMsg{reqID: h.m.listReq, at: t0, latency: time.Millisecond,
				res: &client.ScanResult{Entries: []client.KeyEntry{{Key: []byte(key), Shard: 5, Size: uint64(len(value))}, {Key: []byte("plain"), Shard: 6, Size: 1}}}})
			uitest.RequireSize(t, h.m.View(), sz[0], sz[1])
			h.openDetail(&client.GetResult{Value: []byte(value), Version: client.Version{Term: 1, Index: 2},
				Meta: map[string]string{"shard": "5", "served_by": "n1"}})
			v := h.m.View()
			uitest.RequireSize(t, v, sz[0], sz[1])
			if !strings.Contains(v, `"ok👍\U0001f3fd"`) || !strings.Contains(v, `👍\U0001f3fdvalue🇯🇵 #\ufe0f\u20e3 ❤\ufe0f`) {
				t.Errorf("the key or value is not shown escaped:\n%s", v)
			}
			if k, err := ParseKey(DisplayKey([]byte(key))); err != nil || string(k) != key {
				t.Errorf("the shown key reads back as %q (%v)", k, err)
			}
		})
	}
}
