package keys

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// A cluster replaced behind the same addresses (all nodes restarted without
// their data) holds other keys: the list, the page and the open key are
// read again from the first page, never left showing the old cluster's keys.
func TestClusterReplacedReadsTheListAgain(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		fb.Put(ctx, []byte(k), []byte("old"), nil)
	}
	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 80, 24)
	h.m.SetPageSize(2)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(9, 3, 1024, 16)})
	// The old cluster had 16 groups; group 12 held 40 keys.
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{
		Groups: []client.GroupStatus{{GroupID: 12, State: "leader", Keys: 40}}}})
	if n, ok := h.m.clusterKeys(); !ok || n != 40 {
		t.Fatalf("cluster keys before: %d %v", n, ok)
	}
	h.press("]")
	if got := keysOf(h.m.Entries()); got != "k3 k4" || h.m.Page() != 2 {
		t.Fatalf("page %d: %q", h.m.Page(), got)
	}
	h.press("enter")
	if k, res := h.m.Detail(); string(k) != "k3" || res == nil {
		t.Fatalf("open: %q %v", k, res)
	}

	for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		fb.Delete(ctx, []byte(k), nil)
	}
	fb.Put(ctx, []byte("fresh"), []byte("new"), nil)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(2, 3, 1024, 16),
		Event: &client.TopologyEvent{PreviousEpoch: 9, CurrentEpoch: 2, Replaced: true, ClusterID: "c2"}})
	if got := keysOf(h.m.Entries()); got != "fresh" || h.m.Page() != 1 {
		t.Fatalf("after the cluster was replaced: page %d, keys %q (the old cluster's)", h.m.Page(), got)
	}
	if n, ok := h.m.clusterKeys(); ok {
		t.Fatalf("after the cluster was replaced the title still counts the old cluster's groups: %d keys", n)
	}
	if k, res := h.m.Detail(); string(k) != "k3" || res != nil {
		t.Fatalf("open key after the cluster was replaced: %q still shows the old cluster's value %+v", k, res)
	}
}
