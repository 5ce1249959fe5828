package ttl

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A TTL rewrite whose answer is lost (its leader stopped after committing
// it, or the deadline passed while it committed) was counted "failed":
// the user ran the extend again, which reads each key's expiry afresh, and
// the keys already rewritten got the extension twice. Now such keys are
// counted as having an unknown outcome, with the advice to rescan first.
func TestBulkRewriteWithLostAnswersIsNotCalledFailed(t *testing.T) {
	now := time.Now()
	fb := fakebackend.New(func() time.Time { return now }, 64)
	ctx := context.Background()
	if _, err := fb.Put(ctx, []byte("sess:1"), []byte("v"), &client.PutOptions{TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	c := uitest.Common()
	c.Data = fb
	fb.LoseAnswer("Put", fmt.Errorf("norikv: put: DeadlineExceeded: %w", context.DeadlineExceeded))
	extend := func(exp time.Time) time.Duration { return exp.Sub(now) + 10*time.Minute }
	res := bulkCmd(c, "extend TTL", []string{"sess:1"}, extend)().(bulkMsg).result()
	got, _ := fb.Get(ctx, []byte("sess:1"), nil)
	if left := got.ExpiresAt().Sub(now); left < 10*time.Minute+59*time.Second || left > 11*time.Minute {
		t.Fatalf("the fake did not apply the rewrite: %v left", left)
	}
	if res.Err == nil {
		t.Fatalf("a rewrite without an answer reads %q", res.Info)
	}
	e := res.Err.Error()
	if strings.Contains(e, "failed") || !strings.Contains(e, "1 with an unknown outcome") || !strings.Contains(e, "rescan (r) before running it again") {
		t.Fatalf("a rewrite whose answer was lost is not said to have an unknown outcome: %v", e)
	}
}
