package ttl

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// TestFailedRescanIsRunAgainOnceANodeAnswers: found in tmux with three
// serve --fsync nodes killed under the console and started again: the
// header read "connected" 3 s after the restart, but the TTL pane's title
// kept "list from 15:32:31 (18s ago), rescan failed: connection to
// 127.0.0.1:7341 failed" until its next background rescan, up to 10 s
// (rescanEvery ticks) later. A rescan that got no answer is now run again
// when a node answers its status poll (at most every
// common.UnansweredRetryEvery, as the Keys pane's detail does); a failed
// poll or a scan the server refused does not.
func TestFailedRescanIsRunAgainOnceANodeAnswers(t *testing.T) {
	h := newHarness(t, false, 160, 30)
	h.put("a", time.Hour)
	h.m.Update(common.TickMsg{At: t0})
	h.run(h.m.rescan())
	h.now = t0.Add(3 * time.Second)
	h.m.Update(common.TickMsg{At: h.now})
	h.fb.Fail("Scan", fmt.Errorf("connection to 127.0.0.1:7341 failed: connection refused"))
	h.run(h.m.rescan())
	if s := h.m.summary(); !strings.Contains(s, "rescan failed") {
		t.Fatalf("the rescan failed: %q", s)
	}
	answered := func(at time.Time) common.NodeStatusMsg {
		return common.NodeStatusMsg{At: at, NodeID: "n1", RTT: time.Millisecond, Status: &client.NodeStatus{NodeID: "n1"}}
	}
	// A failed poll says nothing of the cluster being back.
	h.fb.Fail("Scan", nil)
	h.run(h.m.Update(common.NodeStatusMsg{At: h.now, NodeID: "n1", Err: errors.New("connection refused")}))
	if s := h.m.summary(); !strings.Contains(s, "rescan failed") {
		t.Fatalf("a failed poll rescanned: %q", s)
	}
	// The cluster is back: the first answered poll rescans, one tick later.
	h.now = h.now.Add(time.Second)
	h.m.Update(common.TickMsg{At: h.now})
	h.run(h.m.Update(answered(h.now)))
	if s := h.m.summary(); strings.Contains(s, "failed") || !strings.Contains(s, "1 keys expiring") {
		t.Fatalf("a node answered: the rescan that failed was not run again: %q", s)
	}

	// Still failing while the nodes answer (a group without a leader):
	// one rescan on their answers, then only the background ones (every
	// rescanEvery ticks): a scan reads up to maxScan keys.
	h.fb.Fail("Scan", fmt.Errorf("connection refused"))
	h.run(h.m.rescan())
	scans, background := h.fb.Calls("Scan"), 0
	for i := 1; i <= 24; i++ {
		h.now = h.now.Add(500 * time.Millisecond)
		h.run(h.m.Update(common.TickMsg{At: h.now}))
		if h.m.ticks%rescanEvery == 0 {
			background++
		}
		h.run(h.m.Update(answered(h.now)))
	}
	if got := h.fb.Calls("Scan") - scans - background; got != 1 {
		t.Errorf("12 s of answered polls with the scan failing: %d rescans besides the %d background ones, want 1", got, background)
	}
	// A refusal (an answer) is not repeated.
	h.fb.Fail("Scan", client.ErrUnsupported)
	h.now = h.now.Add(5 * time.Second)
	h.run(h.m.rescan())
	scans = h.fb.Calls("Scan")
	h.now = h.now.Add(3 * time.Second)
	h.run(h.m.Update(answered(h.now)))
	if got := h.fb.Calls("Scan") - scans; got != 0 {
		t.Errorf("a refused scan was sent again %d times", got)
	}
}
