package ttl

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common/fakebackend"
	"github.com/norikv/norikv-console/ui/uitest"
)

// hungBackend is a cluster whose every node is hung (SIGSTOP): each read
// waits for its deadline.
type hungBackend struct {
	*fakebackend.Backend
	gets atomic.Int32
}

func (h *hungBackend) Get(ctx context.Context, key []byte, opts *client.GetOptions) (*client.GetResult, error) {
	h.gets.Add(1)
	<-ctx.Done()
	return nil, fmt.Errorf("get: %w", ctx.Err())
}

// TestBulkStopsWhenTheClusterStopsAnswering: extending the TTL of many
// selected keys with every node hung waited the whole request timeout for
// each key in turn (100 keys: over 8 minutes at 5 s) before saying
// anything. It stops after two keys in a row got no answer and says how
// many were not tried.
func TestBulkStopsWhenTheClusterStopsAnswering(t *testing.T) {
	now := time.Now()
	h := &hungBackend{Backend: fakebackend.New(func() time.Time { return now }, 64)}
	c := uitest.Common()
	c.Data, c.Timeout = h, 20*time.Millisecond
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	msg := bulkCmd(c, "extend TTL", keys, func(time.Time) time.Duration { return time.Hour })().(bulkMsg)
	if n := h.gets.Load(); n != bulkGiveUpAfter {
		t.Fatalf("%d keys tried with every node hung, want %d", n, bulkGiveUpAfter)
	}
	res := msg.result()
	if res.Err == nil || !strings.Contains(res.Err.Error(), "98 of 100 keys not tried") || !strings.Contains(res.Err.Error(), "deadline exceeded") {
		t.Fatalf("result: %v", res.Err)
	}
}

// flakyBackend fails every other key's read (one group without a leader):
// the others answer, so the rewrite goes on.
type flakyBackend struct {
	*fakebackend.Backend
	n atomic.Int32
}

func (f *flakyBackend) Get(ctx context.Context, key []byte, opts *client.GetOptions) (*client.GetResult, error) {
	if f.n.Add(1)%2 == 0 {
		return nil, fmt.Errorf("get: no leader")
	}
	return f.Backend.Get(ctx, key, opts)
}

func TestBulkGoesOnWhileKeysAnswer(t *testing.T) {
	now := time.Now()
	f := &flakyBackend{Backend: fakebackend.New(func() time.Time { return now }, 64)}
	ctx := context.Background()
	keys := make([]string, 10)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", i)
		if _, err := f.Backend.Put(ctx, []byte(keys[i]), []byte("v"), &client.PutOptions{TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	c := uitest.Common()
	c.Data = f
	msg := bulkCmd(c, "extend TTL", keys, func(time.Time) time.Duration { return time.Hour })().(bulkMsg)
	if msg.done != 5 || msg.bad != 5 || msg.skipped != 0 {
		t.Fatalf("every other key failing: %+v", msg)
	}
}
