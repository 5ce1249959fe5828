package ttl

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// deadlineBackend records how long each Scan was given.
type deadlineBackend struct {
	*fakebackend.Backend
	mu   sync.Mutex
	left []time.Duration
}

func (d *deadlineBackend) Scan(ctx context.Context, opts *client.ScanOptions) (*client.ScanResult, error) {
	if dl, ok := ctx.Deadline(); ok {
		d.mu.Lock()
		d.left = append(d.left, time.Until(dl))
		d.mu.Unlock()
	}
	return d.Backend.Scan(ctx, opts)
}

// TestScanPagesHaveTheRequestTimeout: every page of a TTL scan pass gets
// the console's request timeout, not the pass's whole budget of four. A
// page stuck on hung nodes then fails after one timeout and the pane says
// so; before, with every node SIGSTOPped, it took ~15 s.
func TestScanPagesHaveTheRequestTimeout(t *testing.T) {
	now := time.Now()
	fb := fakebackend.New(func() time.Time { return now }, 64)
	d := &deadlineBackend{Backend: fb}
	ctx := context.Background()
	for i := range 2*scanPage + 10 {
		if _, err := fb.Put(ctx, []byte{byte(i >> 8), byte(i)}, []byte("v"), &client.PutOptions{TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	c := uitest.Common()
	c.Data, c.Timeout = d, 2*time.Second
	msg, ok := scanCmd(c, 1, 10*scanPage, func() time.Time { return now })().(scanMsg)
	if !ok || msg.err != nil || msg.scanned != 2*scanPage+10 {
		t.Fatalf("scan pass: %+v", msg)
	}
	if len(d.left) != 3 {
		t.Fatalf("%d pages with a deadline, want 3", len(d.left))
	}
	for i, left := range d.left {
		if left > c.Timeout {
			t.Fatalf("page %d had %v to run, more than the request timeout %v", i+1, left.Round(time.Millisecond), c.Timeout)
		}
	}
}
