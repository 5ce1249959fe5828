package ttl

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// refusedErrors are the errors a real client gets from a node address
// that refuses connections (a port listened on, then closed): Connect's
// connection error, and a read's whose budget ran out (its last attempt
// failed at that address); and the address.
func refusedErrors(t *testing.T) ([]error, string) {
	t.Helper()
	c, addr := uitest.RefusingClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	connErr := c.Connect(ctx)
	var ce *client.ConnectionError
	if !errors.As(connErr, &ce) || ce.Addr != addr {
		t.Fatalf("connect to %s that refuses connections: %v, want a connection error naming it", addr, connErr)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, getErr := c.Get(ctx, []byte("k"), nil)
	if getErr == nil || !strings.Contains(getErr.Error(), addr) {
		t.Fatalf("a read from %s that refuses connections: %v, want an error naming it", addr, getErr)
	}
	return []error{connErr, getErr}, addr
}

// TestFailedRescanNamesTheAddressAt80And120Columns: c34 found the TTL
// title's failure reason cut at the pane width: "3 keys expiring, 3
// scanned, list from 15:45:27 (18s ago), rescan failed: connection to
// 127.0.0.1:35353 fa" at 120 columns, and at 80 not even the address.
// The title now leads with what failed (the address and the cause), and
// the whole reason is wrapped under it; the list's age stays in the title.
func TestFailedRescanNamesTheAddressAt80And120Columns(t *testing.T) {
	errs, addr := refusedErrors(t)
	for _, c := range []struct {
		scanErr error
		size    [2]int
	}{{errs[0], [2]int{80, 24}}, {errs[0], [2]int{120, 40}}, {errs[1], [2]int{80, 24}}, {errs[1], [2]int{120, 40}}} {
		scanErr, size := c.scanErr, c.size
		w, ht := size[0], size[1]
		h := newHarness(t, false, w, ht)
		h.put("a", time.Hour)
		h.m.Update(common.TickMsg{At: t0})
		h.run(h.m.rescan())
		h.now = t0.Add(18 * time.Second)
		h.m.Update(common.TickMsg{At: h.now})
		h.fb.Fail("Scan", scanErr)
		h.run(h.m.rescan())
		v := h.m.View()
		lines := strings.Split(v, "\n")
		if len(lines) != ht {
			t.Fatalf("%dx%d: the view has %d lines", w, ht, len(lines))
		}
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw != w {
				t.Fatalf("%dx%d: line %d is %d wide: %q", w, ht, i, lw, l)
			}
		}
		// The title: what failed first, where, and why; at 120 columns
		// the list's age too.
		title := lines[0]
		if !strings.Contains(title, "rescan failed: "+addr+": connection refused") && !strings.Contains(title, "rescan failed: "+addr+": nothing listens there") {
			t.Errorf("%dx%d: the title does not say first which address failed and why:\n%q", w, ht, title)
		}
		if w >= 120 && !strings.Contains(title, "03:04:05 (18s ago)") {
			t.Errorf("%dx%d: the title lacks the list's age:\n%q", w, ht, title)
		}
		// The whole reason, wrapped under the title.
		var reason []string
		for _, l := range lines[1:] {
			l = strings.TrimSpace(l)
			if !strings.HasPrefix(l, "✗") && len(reason) == 0 || l == "" || strings.HasPrefix(l, "1 ") {
				break
			}
			reason = append(reason, l)
		}
		joined := strings.Join(reason, " ")
		full := strings.TrimPrefix(scanErr.Error(), "norikv: ")
		if !strings.Contains(joined, addr) || !strings.Contains(joined, "connection refused") || !strings.HasPrefix(joined, "✗ "+full[:30]) {
			t.Errorf("%dx%d: the whole reason is not under the title: %q\n%s", w, ht, joined, v)
		}
		// The key is still listed, under the longer header.
		if !strings.Contains(v, "▸ 59m42s") {
			t.Errorf("%dx%d: the listed key is gone:\n%s", w, ht, v)
		}
		// A click on the first table row still selects it.
		h.m.Update(common.TickMsg{At: h.now})
		if got := h.m.tableTop(); !strings.Contains(lines[got], "a") || !strings.Contains(lines[got-1], "EXPIRES IN") {
			t.Errorf("%dx%d: tableTop %d is not the first row: %q", w, ht, got, lines[got])
		}
	}
}
