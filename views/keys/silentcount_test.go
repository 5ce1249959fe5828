package keys

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestClusterCountLeavesTheTitleWhenItsReporterFails: found in tmux with
// three serve --fsync nodes (one group per node), all three killed under
// the console: the header read "nodes 0/3 alive, 3 unreachable ·
// reconnecting", yet the list's title read "9 keys in the cluster", the
// count the groups' leaders gave before they went, said as now. A group
// count whose leader's status poll has failed since leaves the total
// (the title drops it rather than show a part as the whole), and comes
// back with the next report.
func TestClusterCountLeavesTheTitleWhenItsReporterFails(t *testing.T) {
	fb := fakebackend.New(nil, 1024)
	com := uitest.Common()
	com.Data = fb
	h := newHarness(t, com, 120, 24)
	h.send(common.TopologyMsg{At: time.Now(), View: uitest.View(9, 3, 1024, 3)})
	report := func(id string, group int, keys uint64) {
		h.send(common.NodeStatusMsg{At: time.Now(), NodeID: id, RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: id,
			Groups: []client.GroupStatus{{GroupID: group, State: "leader", Keys: keys}}}})
	}
	fail := func(id string) {
		h.send(common.NodeStatusMsg{At: time.Now(), NodeID: id, RTT: 1500 * time.Millisecond, Err: errors.New("connection refused")})
	}
	report("n1", 0, 2)
	report("n2", 1, 5)
	report("n3", 2, 2)
	if v := h.m.View(); !strings.Contains(v, "9 keys in the cluster") {
		t.Fatalf("every leader reported: want 9 keys in the title\n%s", v)
	}
	// n2, g1's leader, stops answering: the total without g1 would be
	// taken for the whole; no total until a leader of g1 reports.
	fail("n2")
	if v := h.m.View(); strings.Contains(v, "keys in the cluster") {
		t.Errorf("n2's poll failed: the title still counts its group as now:\n%s", firstLine(v))
	}
	report("n1", 1, 5) // g1 moved to n1, which reports it
	if v := h.m.View(); !strings.Contains(v, "9 keys in the cluster") {
		t.Errorf("g1's new leader reported: want 9 keys\n%s", firstLine(v))
	}
	// Every node killed.
	for _, id := range []string{"n1", "n2", "n3"} {
		fail(id)
	}
	if v := h.m.View(); strings.Contains(v, "keys in the cluster") {
		t.Errorf("no node answers: the title still counts keys:\n%s", firstLine(v))
	}
	// Back: the leaders report again.
	report("n1", 0, 2)
	report("n2", 1, 5)
	report("n3", 2, 2)
	if v := h.m.View(); !strings.Contains(v, "9 keys in the cluster") {
		t.Errorf("back: want 9 keys\n%s", firstLine(v))
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
