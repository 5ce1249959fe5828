package ttl

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A cluster replaced behind the same addresses (restarted without its
// data): the table is scanned again at once, not up to 10 s later, and the
// selection of the old cluster's keys is dropped.
func TestClusterReplacedRescansAndClearsTheSelection(t *testing.T) {
	h := seeded(t, 80, 24)
	h.press("space")
	if len(h.m.selected) != 1 {
		t.Fatalf("selected %v", h.m.selected)
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	for _, k := range []string{"session:a", "session:b", "cache:page:1", "cache:page:2", "lock:job", "user:1"} {
		if _, err := h.fb.Delete(ctx, []byte(k), nil); err != nil {
			t.Fatal(err)
		}
	}
	h.put("fresh", time.Minute)
	h.run(h.m.Update(common.TopologyMsg{At: h.now, View: uitest.View(2, 3, 1024, 16),
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "c2"}}))
	if got := h.keys(); got != "fresh" || len(h.m.selected) != 0 {
		t.Fatalf("after the cluster was replaced: rows %q, selected %v", got, h.m.selected)
	}
}
