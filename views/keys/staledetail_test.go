package keys

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// When reading the key again fails (its leader hung, the cluster gone), the
// value shown is the earlier read's: the line that says "lease read" also
// says when that read was made and that the newer one failed, so the old
// value is never taken for a fresh one.
func TestFailedReloadSaysTheValueShownIsOlder(t *testing.T) {
	fb, h := oneKeyHarness(t, 80)
	h.press("enter")
	if v := h.m.View(); !strings.Contains(v, "lease read") || strings.Contains(v, "lease read at") {
		t.Fatalf("first read:\n%s", v)
	}
	fb.Fail("Get", context.DeadlineExceeded)
	h.press("r")
	v := h.m.View()
	if !strings.Contains(v, "deadline exceeded") || !strings.Contains(v, "lease read at ") || !strings.Contains(v, "ago)") {
		t.Fatalf("after a failed reload the view does not say its value is the older read:\n%s", v)
	}
	fb.Fail("Get", nil)
	h.press("r")
	if v := h.m.View(); strings.Contains(v, "lease read at ") || strings.Contains(v, "deadline") {
		t.Fatalf("after a good reload:\n%s", v)
	}
}

// The same for the list: after a failed rescan the title says when the
// keys shown were scanned.
func TestFailedRescanSaysTheListShownIsOlder(t *testing.T) {
	fb, h := oneKeyHarness(t, 100)
	if v := h.m.View(); strings.Contains(v, "scanned at") {
		t.Fatalf("first scan:\n%s", v)
	}
	fb.Fail("Scan", context.DeadlineExceeded)
	h.press("r")
	v := h.m.View()
	if !strings.Contains(v, "user:1") || !strings.Contains(v, "deadline exceeded") || !strings.Contains(v, "scanned at ") {
		t.Fatalf("after a failed rescan the title does not say the list is the older scan:\n%s", v)
	}
}

// An open key is a snapshot (it is not read again by itself): from 10 s
// after its read, the line says when it was read, so a value someone else
// has since changed is not taken for the value now. Before, "lease read"
// stood there unchanged for as long as the key stayed open.
func TestOldReadSaysWhenItWasRead(t *testing.T) {
	fb, h := oneKeyHarness(t, 80)
	h.press("enter")
	h.m.detail.readAt = time.Now().Add(-5 * time.Second) // the read was made 5 s ago
	h.send(common.TickMsg{At: time.Now()})
	if v := h.m.View(); !strings.Contains(v, "lease read") || strings.Contains(v, "lease read at") {
		t.Fatalf("a read 5 s old:\n%s", v)
	}
	ctx, cancel := uitest.Common().Context()
	defer cancel()
	fb.Put(ctx, []byte("user:1"), []byte("changed elsewhere"), nil)
	h.m.detail.readAt = time.Now().Add(-75 * time.Second)
	h.send(common.TickMsg{At: time.Now()})
	v := h.m.View()
	if !strings.Contains(v, "lease read at ") || !strings.Contains(v, "ago)") || !strings.Contains(v, "v1") {
		t.Fatalf("a read 75 s old does not say when it was made:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "lease read at") && len([]rune(strings.TrimRight(l, " "))) > 80 {
			t.Errorf("the line does not fit 80 columns: %q", l)
		}
	}
	h.press("r")
	if v := h.m.View(); strings.Contains(v, "lease read at ") || !strings.Contains(v, "changed elsewhere") {
		t.Fatalf("after reading again:\n%s", v)
	}
}

// The list is a scan too: from 10 s after it the title says when it was
// made, and at 80 columns with the cluster's key count it still does (the
// wording and then the count give way; the end of the title, which says
// how fresh the list is, was cut off, also after a failed rescan).
func TestOldScanSaysWhenItWasMade(t *testing.T) {
	fb, h := oneKeyHarness(t, 80)
	h.send(common.NodeStatusMsg{At: time.Now(), NodeID: "n1", Status: &client.NodeStatus{NodeID: "n1",
		Groups: []client.GroupStatus{{GroupID: 0, State: "leader", Keys: 123456}}}})
	title := func() string { return strings.Split(h.m.View(), "\n")[0] }
	if got := title(); strings.Contains(got, "scanned at") || !strings.Contains(got, "123456 keys in the cluster") {
		t.Fatalf("a fresh scan: %q", got)
	}
	h.m.scannedAt = time.Now().Add(-75 * time.Second)
	h.send(common.TickMsg{At: time.Now()})
	if got := title(); !strings.Contains(got, "scanned at ") || !strings.Contains(got, "(1m15s ago)") {
		t.Errorf("a scan 75 s old, at 80 columns: %q", got)
	}
	fb.Fail("Scan", context.DeadlineExceeded)
	h.press("r")
	if got := title(); !strings.Contains(got, "scanned at ") || !strings.Contains(got, "rescan failed") {
		t.Errorf("a failed rescan, at 80 columns: %q", got)
	}
	h.m.SetSize(200, 24) // side by side: the list has 2/5 of it
	if got := title(); !strings.Contains(got, "rescan failed") {
		t.Errorf("at 200 columns: %q", got)
	}
}
