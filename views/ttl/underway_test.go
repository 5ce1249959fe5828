package ttl

import (
	"strings"
	"testing"
)

// Found in tmux with two of three serve processes stopped: for the 8 s an
// extend of 5 keys waited on the cluster nothing on screen said it was
// under way, and a second extend could be started beside it (both read the
// same expiries: a key could get the extension twice). The title now names
// the rewrite under way until its answer, and a second one is refused
// meanwhile.
func TestBulkUnderWayIsShownAndASecondWaits(t *testing.T) {
	h := seeded(t, 120, 24)
	h.press("space", "space")
	h.press("e")
	cmd := h.actions[0].Run("1h") // sent: its answer has not come back
	if v := h.m.View(); !strings.Contains(v, "extend TTL of 2 keys by 1h0m0s: under way…") {
		t.Fatalf("an extend under way is not shown:\n%s", v)
	}
	h.press("c")
	h.run(h.actions[1].Run(""))
	if len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), "extend TTL of 2 keys by 1h0m0s is still under way; wait for its result") {
		t.Fatalf("a clear while an extend runs: errors %v", h.errs)
	}
	if len(h.results) != 0 {
		t.Fatalf("a second rewrite ran beside the first: %+v", h.results)
	}
	h.run(cmd)
	if v := h.m.View(); strings.Contains(v, "under way") {
		t.Fatalf("the extend is still shown under way after its answer:\n%s", v)
	}
	if len(h.results) != 1 || h.results[0].Err != nil {
		t.Fatalf("extend: %+v", h.results)
	}
	h.press("c")
	h.run(h.actions[2].Run(""))
	if len(h.results) != 2 || h.results[1].Err != nil {
		t.Fatalf("a clear after the extend answered: %+v", h.results)
	}
}
