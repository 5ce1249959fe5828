package keys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// wideOnFake is a 200x60 pane (list and detail side by side) over a fake
// holding user:1..user:5.
func wideOnFake(t *testing.T) (*harness, *fakebackend.Backend) {
	t.Helper()
	fb := fakebackend.New(nil, 64)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	for i := 1; i <= 5; i++ {
		if _, err := fb.Put(ctx, []byte(fmt.Sprintf("user:%d", i)), []byte(fmt.Sprintf("value %d", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 200, 60)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(7, 3, 64, 4)})
	if !h.m.wide() || len(h.m.Entries()) != 5 {
		t.Fatalf("wide %v, %d keys (err %v)", h.m.wide(), len(h.m.Entries()), h.m.listErr)
	}
	return h, fb
}

// requireCursorOnDetail fails unless the list's cursor (model and screen)
// and the detail name the same key, want.
func requireCursorOnDetail(t *testing.T, h *harness, want string) {
	t.Helper()
	k, _ := h.m.Detail()
	v := h.m.View()
	if string(h.m.Selected()) != want || string(k) != want || !strings.Contains(v, "> "+want+" ") || !strings.Contains(v, "│KEY "+want) {
		t.Fatalf("cursor on %q, detail of %q; want both on %q:\n%s", h.m.Selected(), k, want, v)
	}
}

// Found in tmux at 200x60: after a put of a new key (a) the detail showed
// the new key while the list's cursor stayed on the key selected before,
// and esc then swapped the detail back to that one.
func TestWideNewKeyPutsTheCursorOnIt(t *testing.T) {
	h, _ := wideOnFake(t)
	h.press("down")
	requireCursorOnDetail(t, h, "user:2")
	h.press("a")
	h.typeText("user:25")
	h.press("tab", "tab")
	h.typeText("new")
	h.press("ctrl+s")
	if r := h.lastResult(); r.Err != nil {
		t.Fatalf("put: %v", r.Err)
	}
	if _, res := h.m.Detail(); res == nil || string(res.Value) != "new" {
		t.Fatalf("detail after the put: %+v", res)
	}
	requireCursorOnDetail(t, h, "user:25")
	h.m.Back()
	requireCursorOnDetail(t, h, "user:25")
	h.press("down")
	requireCursorOnDetail(t, h, "user:3")
}

// A delete of the key under the cursor leaves the cursor on the key after
// it (not the top of the page), the detail beside it showing that key.
func TestWideDeleteMovesCursorAndDetailToTheNextKey(t *testing.T) {
	for _, fromDetail := range []bool{false, true} {
		h, fb := wideOnFake(t)
		h.press("down", "down")
		if fromDetail {
			h.press("enter")
		}
		requireCursorOnDetail(t, h, "user:3")
		h.press("d")
		h.run(h.lastAction().Run(""))
		ctx, cancel := uitest.Common().Context()
		if _, err := fb.Get(ctx, []byte("user:3"), nil); err == nil {
			t.Fatalf("user:3 survived its delete: %+v", h.results)
		}
		cancel()
		if h.m.Mode() != "list" {
			t.Fatalf("mode %s after the delete", h.m.Mode())
		}
		requireCursorOnDetail(t, h, "user:4")
		if _, res := h.m.Detail(); res == nil || string(res.Value) != "value 4" {
			t.Fatalf("from detail %v: the detail beside the cursor was not read: %+v", fromDetail, res)
		}
		// The last key: the cursor moves up to the one before it.
		h.press("G", "d")
		h.run(h.lastAction().Run(""))
		requireCursorOnDetail(t, h, "user:4")
	}
}

// A new key the list does not show (here outside the filter) cannot take
// the cursor: the detail says why the cursor is on another key.
func TestWideNewKeyNotListedIsSaidSo(t *testing.T) {
	h, _ := wideOnFake(t)
	h.m.SetFilter("user:")
	h.send(common.TickMsg{At: time.Now()})
	h.press("down")
	h.press("a", "backspace", "backspace", "backspace", "backspace", "backspace")
	h.typeText("other:1")
	h.press("tab", "tab")
	h.typeText("x")
	h.press("ctrl+s")
	if k, res := h.m.Detail(); string(k) != "other:1" || res == nil {
		t.Fatalf("detail after the put: %q %+v (results %+v)", k, res, h.results)
	}
	want := `not under the list's cursor: it does not start with the filter "user:"`
	if v := h.m.View(); string(h.m.Selected()) != "user:2" || !strings.Contains(v, want) {
		t.Fatalf("cursor on %q; want user:2 and %q beside it:\n%s", h.m.Selected(), want, v)
	}
}
