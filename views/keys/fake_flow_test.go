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

// The keys pane's flow on the in-memory backend: paging with a prefix,
// open, a CAS edit, a TTL (typed over the one shown), a new key, a delete.
// The real-cluster flow (conflicts, served_by, stale reads) stays in
// flow_test.go.
func TestFlowOnTheFakeBackend(t *testing.T) {
	// Real time: the pane stamps its replies with time.Now.
	now := time.Now()
	fb := fakebackend.New(nil, 1024)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	for i := 1; i <= 5; i++ {
		if _, err := fb.Put(ctx, []byte(fmt.Sprintf("flow:%d", i)), []byte(fmt.Sprintf("value %d", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	fb.Put(ctx, []byte("other:x"), []byte("not in the prefix"), nil)

	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 120, 40)
	h.m.SetPageSize(3)
	h.send(common.TopologyMsg{At: now, View: uitest.View(7, 3, 1024, 16)})
	if got := keysOf(h.m.Entries()); got != "flow:1 flow:2 flow:3" {
		t.Fatalf("first page: %q (err %v)", got, h.m.listErr)
	}
	h.m.SetFilter("flow:")
	h.send(common.TickMsg{At: now})
	h.press("]")
	if got := keysOf(h.m.Entries()); got != "flow:4 flow:5" || h.m.Page() != 2 {
		t.Fatalf("second page: %q page %d", got, h.m.Page())
	}
	h.press("[", "down", "enter")
	if k, res := h.m.Detail(); string(k) != "flow:2" || res == nil || string(res.Value) != "value 2" {
		t.Fatalf("detail: %q %+v", k, res)
	}

	// A CAS edit.
	h.press("e", "end")
	h.typeText(" edited")
	h.press("ctrl+s")
	if r := h.lastResult(); r.Err != nil {
		t.Fatalf("save: %v", r.Err)
	}
	if got, _ := fb.Get(ctx, []byte("flow:2"), nil); string(got.Value) != "value 2 edited" {
		t.Fatalf("after the save: %q", got.Value)
	}

	// A TTL: the action's default is the time left; the palette replaces
	// it with what is typed (its own test); here the pane writes what it gets.
	h.press("t")
	h.run(h.lastAction().Run("5m"))
	got, _ := fb.Get(ctx, []byte("flow:2"), nil)
	if left := time.Until(got.ExpiresAt()); left < 4*time.Minute || left > 5*time.Minute {
		t.Fatalf("expiry in %v, want 5m", left)
	}
	h.press("t")
	if a := h.lastAction(); !strings.HasPrefix(a.Default, "4m5") {
		t.Fatalf("TTL default %q, want the time left\n%s", a.Default, h.m.View())
	}
	h.run(h.lastAction().Run("1h"))
	if got, _ := fb.Get(ctx, []byte("flow:2"), nil); time.Until(got.ExpiresAt()) < 59*time.Minute {
		t.Fatalf("after typing 1h the key expires at %v", got.ExpiresAt())
	}

	// A new key from the form.
	h.m.Back()
	h.press("a")
	h.typeText("9")
	h.press("tab")
	h.typeText("30s")
	h.press("tab")
	h.typeText("nine")
	h.press("ctrl+s")
	if got, err := fb.Get(ctx, []byte("flow:9"), nil); err != nil || string(got.Value) != "nine" || got.ExpiresAt().IsZero() {
		t.Fatalf("new key: %+v %v (results %+v)", got, err, h.results)
	}

	// Delete flow:1 after the confirmation (the save showed flow:9's detail).
	h.m.Back()
	h.press("g", "d")
	h.run(h.lastAction().Run(""))
	if _, err := fb.Get(ctx, []byte("flow:1"), nil); err == nil {
		t.Fatalf("flow:1 survived its delete: action %q, results %+v\n%s", h.lastAction().Title, h.results[len(h.results)-1], h.m.View())
	}
	if v := h.m.View(); strings.Contains(v, "flow:1 ") {
		t.Fatalf("the deleted key is still listed:\n%s", v)
	}
}
