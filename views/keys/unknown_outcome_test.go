package keys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// errLostAnswer is what the client returns when a write's answer never came:
// the request's deadline passed after the write was sent.
var errLostAnswer = fmt.Errorf("norikv: put: DeadlineExceeded: context deadline exceeded (after 3 attempts): %w", context.DeadlineExceeded)

// A save whose answer is lost (the leader committed it and stopped, or the
// deadline passed while it committed) is said to have an unknown outcome,
// never "written" and never a plain failure; ctrl+s again sends the same
// write with the same idempotency key, so it applies once and the console
// says it was written, with the first write's version, instead of calling
// the console's own write someone else's conflicting one.
func TestSaveWithUnknownOutcomeIsSaidAndSentAgainOnce(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	first, err := fb.Put(ctx, []byte("acct:1"), []byte("balance 10"), nil)
	if err != nil {
		t.Fatal(err)
	}
	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 120, 40)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(7, 3, 1024, 16)})
	h.press("enter")
	if k, res := h.m.Detail(); string(k) != "acct:1" || res == nil {
		t.Fatalf("detail: %q %+v", k, res)
	}
	h.press("e", "end")
	h.typeText(" edited")

	fb.LoseAnswer("Put", errLostAnswer)
	h.press("ctrl+s")
	r := h.lastResult()
	if r.Err == nil || r.Info != "" {
		t.Fatalf("a save whose answer was lost reads %q (err %v)", r.Info, r.Err)
	}
	if !strings.Contains(r.Err.Error(), "outcome unknown, it may have been applied") ||
		!strings.Contains(r.Err.Error(), "ctrl+s sends the same save again") {
		t.Fatalf("the lost answer is not said to leave the outcome unknown: %v", r.Err)
	}
	if !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Fatalf("the cause is lost: %v", r.Err)
	}
	applied, _ := fb.Get(ctx, []byte("acct:1"), nil)
	if string(applied.Value) != "balance 10 edited" {
		t.Fatalf("the fake did not apply the first save: %q", applied.Value)
	}

	// The answer comes through again; the same save is sent again.
	fb.LoseAnswer("Put", nil)
	h.press("ctrl+s")
	r = h.lastResult()
	if r.Err != nil {
		t.Fatalf("the same save again: %v (the first one was applied: the console took its own write for a conflict)", r.Err)
	}
	if want := "written, version " + FormatVersion(applied.Version); r.Info != want {
		t.Fatalf("the same save again reads %q, want %q", r.Info, want)
	}
	if got, _ := fb.Get(ctx, []byte("acct:1"), nil); got.Version != applied.Version || got.Version == first {
		t.Fatalf("the save applied twice or not at all: version %v (first %v, applied %v)", got.Version, first, applied.Version)
	}
	if h.m.uncertain != nil {
		t.Fatal("the settled write is still held as uncertain")
	}
}

// A delete whose answer is lost: d again replays its answer ("deleted")
// instead of failing its compare-and-swap on the key it removed itself.
func TestDeleteWithUnknownOutcomeIsSentAgainOnce(t *testing.T) {
	fb, h := scannedHarness(t, 120, 40, "job:1", "x")
	fb.LoseAnswer("Delete", errLostAnswer)
	h.press("d")
	h.run(h.lastAction().Run(""))
	if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "outcome unknown") || !strings.Contains(r.Err.Error(), "d again deletes at most once") {
		t.Fatalf("lost delete answer: %q %v", r.Info, r.Err)
	}
	fb.LoseAnswer("Delete", nil)
	// The list still shows the key at the version read: d again on it.
	h.press("d")
	h.run(h.lastAction().Run(""))
	if r := h.lastResult(); r.Err != nil || r.Info != "deleted" {
		t.Fatalf("the same delete again: %q %v", r.Info, r.Err)
	}
}

// A new key whose put had an unknown outcome and was not applied, then
// created by another writer: ctrl+s again must not overwrite theirs (the
// replay still checks whether the key exists, and the form says it does).
func TestNewKeyAgainAfterAnUnknownOutcomeKeepsAnotherWritersKey(t *testing.T) {
	fb, h := scannedHarness(t, 120, 40)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	h.press("a")
	h.typeText("new:1")
	h.press("tab", "tab")
	h.typeText("mine")
	fb.Fail("Put", errLostAnswer) // sent, not applied, no answer
	h.press("ctrl+s")
	if r := h.lastResult(); r.Err == nil || !strings.Contains(r.Err.Error(), "outcome unknown") {
		t.Fatalf("first put: %q %v", r.Info, r.Err)
	}
	fb.Fail("Put", nil)
	if _, err := fb.Put(ctx, []byte("new:1"), []byte("theirs"), nil); err != nil {
		t.Fatal(err)
	}
	h.press("ctrl+s")
	if got, _ := fb.Get(ctx, []byte("new:1"), nil); string(got.Value) != "theirs" {
		t.Fatalf("the put again overwrote another writer's new key: %q", got.Value)
	}
	if h.m.form == nil || h.m.form.exists == nil {
		t.Fatalf("the form does not say the key exists:\n%s", h.m.View())
	}
}
