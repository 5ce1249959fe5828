package ttl

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
)

// TestNoScanYetIsNotZeroKeys: a console that cannot reach its cluster (not
// connected yet, or every node down) had its first scan fail, and the pane
// said "0 keys expiring, 0 scanned" and "no key with a TTL found": it knew
// nothing about the keys (seen in tmux with --nodes on a silent port). After
// a scan succeeded, a failed one says which scan the list comes from.
func TestNoScanYetIsNotZeroKeys(t *testing.T) {
	h := newHarness(t, false, 120, 30)
	h.m.Update(common.TickMsg{At: t0})
	h.m.scanning = true
	h.m.reqID = 1
	if v := h.m.View(); !strings.Contains(v, "not scanned yet, scanning…") || strings.Contains(v, "0 keys expiring") {
		t.Fatalf("first scan running:\n%s", v)
	}
	h.m.Update(scanMsg{reqID: 1, at: t0, err: fmt.Errorf("TTL scan after 0 keys: connection refused")})
	v := h.m.View()
	if strings.Contains(v, "0 keys expiring") || strings.Contains(v, "no key with a TTL found") {
		t.Fatalf("a failed first scan shown as an empty keyspace:\n%s", v)
	}
	if !strings.Contains(v, "not scanned yet: scan failed: TTL scan after 0 keys: connection refused") || !strings.Contains(v, "no scan has succeeded yet") {
		t.Fatalf("a failed first scan:\n%s", v)
	}
	// A scan succeeds, then one fails a minute later: the list is the old one.
	h.put("a", time.Hour)
	h.run(h.m.rescan())
	if v := h.m.View(); !strings.Contains(v, "1 keys expiring") || strings.Contains(v, "failed") {
		t.Fatalf("after a scan:\n%s", v)
	}
	h.m.Update(common.TickMsg{At: t0.Add(time.Minute)})
	h.m.scanning = true
	h.m.reqID++
	h.m.Update(scanMsg{reqID: h.m.reqID, at: t0.Add(time.Minute), err: fmt.Errorf("connection refused")})
	if s := h.m.summary(); !strings.Contains(s, "rescan failed: connection refused; list from 03:04:05 (1m0s ago)") {
		t.Fatalf("a failed rescan: %q", s)
	}
}

// TestFailedRescanShowsItsReasonAt120Columns: with a group leaderless (a
// node killed, another restarted without its data) the title read "...,
// last scan failed (the list is the scan of 04:36:43, 23s ago): TTL" at
// 120 columns: the reason was cut off (seen in tmux). The scan's own
// failure, from the backend, is on screen with the list's age.
func TestFailedRescanShowsItsReasonAt120Columns(t *testing.T) {
	h := newHarness(t, false, 120, 30)
	h.m.Update(common.TickMsg{At: t0})
	h.run(h.m.rescan())
	h.now = t0.Add(23 * time.Second)
	h.m.Update(common.TickMsg{At: h.now})
	h.fb.Fail("Scan", fmt.Errorf("norikv: scan: no leader for shard 1 after 10 attempts (last hint 127.0.0.1:27401, last node 127.0.0.1:27403): a leader election may be running"))
	h.run(h.m.rescan())
	title := strings.SplitN(h.m.View(), "\n", 2)[0]
	for _, want := range []string{"no leader for shard 1", "03:04:05 (23s ago)"} {
		if !strings.Contains(title, want) {
			t.Errorf("title at 120 columns lacks %q: %q", want, title)
		}
	}
}
