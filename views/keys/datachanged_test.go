package keys

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// Keys written outside the pane (the sample data seeded after the first
// scan) show up when the root says the data changed.
func TestDataChangedRescansThePage(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	fb.Put(ctx, []byte("user:1"), []byte("a"), nil)
	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 80, 24)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(7, 3, 1024, 16)})
	fb.Put(ctx, []byte("cache:x"), []byte("b"), nil)
	if got := keysOf(h.m.Entries()); got != "user:1" {
		t.Fatalf("first scan: %q", got)
	}
	h.send(common.DataChangedMsg{})
	if got := keysOf(h.m.Entries()); got != "cache:x user:1" {
		t.Fatalf("after DataChangedMsg: %q", got)
	}
}
