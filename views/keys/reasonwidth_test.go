package keys

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/uitest"
)

// refusedReadError is a node address that refuses connections (a port
// listened on, then closed) and the error a real client's read gets from
// it.
func refusedReadError(t *testing.T) (string, error) {
	t.Helper()
	c, addr := uitest.RefusingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Get(ctx, []byte("user:1"), nil)
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("a read from %s that refuses connections: %v, want an error naming it", addr, err)
	}
	return addr, err
}

// TestFailedRereadNamesTheAddressAt80And120Columns: c34 found the Keys
// detail's failed-read line cut at the pane width, losing the address the
// read failed at and why ("✗ get: DeadlineExceeded: context deadline
// exceeded (after 6 attempts; the last failed at 127.0." at 80 columns).
// The reason is wrapped in the detail now, every line within the width,
// and the view keeps its height.
func TestFailedRereadNamesTheAddressAt80And120Columns(t *testing.T) {
	addr, readErr := refusedReadError(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, ht := size[0], size[1]
		fb, h := scannedHarness(t, w, ht, "user:1", "v1")
		h.press("enter")
		if v := h.m.View(); !strings.Contains(v, "v1") {
			t.Fatalf("%dx%d: first read:\n%s", w, ht, v)
		}
		fb.Fail("Get", readErr)
		h.press("r")
		v := h.m.View()
		lines := strings.Split(v, "\n")
		if len(lines) != ht {
			t.Fatalf("%dx%d: the view has %d lines", w, ht, len(lines))
		}
		var text []string
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				t.Fatalf("%dx%d: line %d is %d wide: %q", w, ht, i, lw, l)
			}
			text = append(text, strings.TrimSpace(ansi.Strip(l)))
		}
		joined := strings.Join(text, " ")
		for _, want := range []string{"the last failed at " + addr, "connect: connection refused"} {
			if !strings.Contains(joined, want) {
				t.Errorf("%dx%d: the failed read's reason lacks %q:\n%s", w, ht, want, v)
			}
		}
		if !strings.Contains(v, "v1") {
			t.Errorf("%dx%d: the value read before is no longer shown:\n%s", w, ht, v)
		}
	}
}
