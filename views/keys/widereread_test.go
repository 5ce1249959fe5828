package keys

import (
	"strings"
	"testing"

	"github.com/norikv/norikv-console/ui/uitest"
)

// Side by side, the list and the detail must not contradict each other: a
// rescan (r) that lists the selected key at a newer version than the
// detail's read reads the detail again. Found in tmux with a key written
// by another client while its old leader was cut off: the list read 3/7,
// the detail beside it 2/3 and the old value, still as "lease read".
func TestWideDetailIsReadAgainWhenTheListIsNewer(t *testing.T) {
	fb, h := oneKeyHarness(t, 200)
	if h.m.detail == nil {
		h.press("down", "up")
	}
	if h.m.detail == nil || h.m.detail.res == nil || string(h.m.detail.res.Value) != "v1" {
		t.Fatalf("the wide pane does not show user:1 beside the list:\n%s", h.m.View())
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	if _, err := fb.Put(ctx, []byte("user:1"), []byte("v2 from another client"), nil); err != nil {
		t.Fatal(err)
	}
	gets := fb.Calls("Get")
	h.press("r")
	v := h.m.View()
	if h.m.detail.res == nil || string(h.m.detail.res.Value) != "v2 from another client" || !strings.Contains(v, "v2 from another client") {
		t.Fatalf("after a rescan listing a newer version the detail still shows the old read (%d reads):\n%s", fb.Calls("Get")-gets, v)
	}
	// A rescan that finds the version the detail shows reads nothing more.
	gets = fb.Calls("Get")
	h.press("r")
	if n := fb.Calls("Get") - gets; n != 0 {
		t.Fatalf("a rescan with nothing new read the detail again (%d reads)", n)
	}
}
