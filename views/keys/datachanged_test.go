package keys

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// Keys written outside the pane (the sample data seeded after the first
// scan) show up when the root says the data changed.
func TestDataChangedRescansThePage(t *testing.T) {
	fb, h := scannedHarness(t, 80, 24, "user:1", "a")
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	fb.Put(ctx, []byte("cache:x"), []byte("b"), nil)
	if got := keysOf(h.m.Entries()); got != "user:1" {
		t.Fatalf("first scan: %q", got)
	}
	h.send(common.DataChangedMsg{})
	if got := keysOf(h.m.Entries()); got != "cache:x user:1" {
		t.Fatalf("after DataChangedMsg: %q", got)
	}
}

// An empty first page is scanned again once the cluster counts keys that
// appeared after the scan (another client wrote them); before, the list said
// "no keys yet: press a to put one" under a title counting them. A count
// that does not move (expired keys the count still holds) scans no more.
func TestEmptyListRescansWhenTheClusterCountsKeys(t *testing.T) {
	fb, h := scannedHarness(t, 80, 24)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	if n := len(h.m.Entries()); n != 0 || !strings.Contains(h.m.View(), "no keys yet") {
		t.Fatalf("first scan of an empty cluster: %d keys\n%s", n, h.m.View())
	}
	fb.Put(ctx, []byte("user:1"), []byte("a"), nil)
	fb.Put(ctx, []byte("user:2"), []byte("b"), nil)
	status := func(keys uint64) common.NodeStatusMsg {
		return common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1",
			Groups: []client.GroupStatus{{GroupID: 0, State: "leader", Keys: keys}}}}
	}
	h.send(status(2))
	if got := keysOf(h.m.Entries()); got != "user:1 user:2" {
		t.Fatalf("the cluster counts 2 keys, the list shows %q:\n%s", got, h.m.View())
	}
	// Keys gone (expired) while the count still holds them: one scan, not one a poll.
	fb.Delete(ctx, []byte("user:1"), nil)
	fb.Delete(ctx, []byte("user:2"), nil)
	h.send(common.DataChangedMsg{})
	if n := len(h.m.Entries()); n != 0 {
		t.Fatalf("after the deletes: %d keys", n)
	}
	scans := fb.Calls("Scan")
	h.send(status(2))
	h.send(status(2))
	if got := fb.Calls("Scan"); got != scans {
		t.Errorf("an unchanged count scanned again: %d scans, was %d", got, scans)
	}
}
