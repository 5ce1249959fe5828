package ttl

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
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

// loseOneAnswer applies every Put but key's, whose answer is lost after
// it was applied (its leader stopped after committing it).
type loseOneAnswer struct {
	*fakebackend.Backend
	key string
}

func (l loseOneAnswer) Put(ctx context.Context, k, v []byte, opts *client.PutOptions) (client.Version, error) {
	ver, err := l.Backend.Put(ctx, k, v, opts)
	if err == nil && string(k) == l.key {
		return client.Version{}, fmt.Errorf("norikv: put: %w", context.DeadlineExceeded)
	}
	return ver, err
}

// Found in tmux with the leader of one key's group stopped during an extend
// of 32 selected keys: '31 rewritten; 1 with an unknown outcome ... rescan
// (r) before running it again', the 32 still selected. Run again as told,
// the extend added its duration to the 31 settled keys a second time. Now
// only the keys to run again (an unknown outcome, a failure, not tried)
// stay selected (a key changed meanwhile too: the message said to retry
// it), and the message says so.
func TestBulkLeavesOnlyTheKeysToRunAgainSelected(t *testing.T) {
	h := seeded(t, 120, 24)
	h.m.common.Data = loseOneAnswer{Backend: h.fb, key: "lock:job"}
	h.press("a")
	h.press("e")
	h.run(h.actions[0].Run("1h"))
	if len(h.results) != 1 || h.results[0].Err == nil {
		t.Fatalf("extend with a lost answer: %+v", h.results)
	}
	if e := h.results[0].Err.Error(); !strings.Contains(e, "4 rewritten; 1 with an unknown outcome") || !strings.Contains(e, `only the key "lock:job" to run again stays selected`) {
		t.Fatalf("extend with a lost answer: %v", e)
	}
	if len(h.m.selected) != 1 || !h.m.selected["lock:job"] {
		t.Fatalf("selected after the extend: %v, want only lock:job", h.m.selected)
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	before, _ := h.fb.Get(ctx, []byte("session:b"), nil)
	h.press("e")
	h.run(h.actions[1].Run("1h"))
	if after, _ := h.fb.Get(ctx, []byte("session:b"), nil); !after.ExpiresAt().Equal(before.ExpiresAt()) {
		t.Fatalf("extending again extended a settled key twice: %v, then %v", before.ExpiresAt(), after.ExpiresAt())
	}
}
