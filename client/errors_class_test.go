package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestNoLeaderErrorAfterBudget: a shard whose nodes answer NOT_LEADER
// without a hint for the whole budget fails with ErrNoLeader carrying the
// shard, not a *ConnectionError telling the user to check the node is up.
func TestNoLeaderErrorAfterBudget(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, "", false)
		}
	})
	c := newTestClient(t, false, f.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	if !errors.Is(err, ErrNoLeader) {
		t.Fatalf("err = %v, want ErrNoLeader", err)
	}
	var nl *NoLeaderError
	if !errors.As(err, &nl) || nl.Shard != ShardForKey([]byte("k"), 16) || nl.Attempts != 4 {
		t.Fatalf("NoLeaderError = %+v, want shard %d after 4 attempts", nl, ShardForKey([]byte("k"), 16))
	}
	var ce *ConnectionError
	if errors.As(err, &ce) {
		t.Fatalf("err is a *ConnectionError (%v): wrong advice for an election", err)
	}
	if !strings.Contains(err.Error(), "election") || !strings.Contains(err.Error(), "retry later") {
		t.Fatalf("message %q does not say an election is in progress", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.Unavailable {
		t.Fatalf("NoLeaderError does not unwrap to *Error Unavailable: %v", err)
	}
}

// TestNoLeaderErrorKeepsLastHint: a hint naming an unreachable node is
// reported in the error.
func TestNoLeaderErrorKeepsLastHint(t *testing.T) {
	f := startFake(t, fakeServices{})
	dead := deadAddr(t)
	f.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, dead, false)
		}
	})
	c := newTestClient(t, false, f.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var nl *NoLeaderError
	if !errors.As(err, &nl) || nl.LastHint != dead {
		t.Fatalf("err = %v (%+v), want *NoLeaderError with last hint %s", err, nl, dead)
	}
}

// TestTimeoutClassBudget: attempts that time out spend the Timeout class,
// whose budget is smaller than the overall one.
func TestTimeoutClassBudget(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	})
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, Timeout: 30 * time.Millisecond, DisableWatch: true,
		Retry: RetryConfig{MaxAttempts: 10, Timeout: RetryClass{MaxAttempts: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want an attempt timeout (not the caller's deadline)", err)
	}
	if !strings.Contains(err.Error(), "Config.Timeout") {
		t.Fatalf("message %q does not name Config.Timeout", err)
	}
	if n := f.putCount(); n != 2 {
		t.Fatalf("attempts = %d, want Retry.Timeout.MaxAttempts = 2", n)
	}
}

// TestRetryClassDefaults: the class table as configured by withDefaults.
func TestRetryClassDefaults(t *testing.T) {
	r := RetryConfig{}.withDefaults()
	if r.MaxAttempts != 20 || r.NotLeader.MaxAttempts != 10 || r.NotLeader.MaxDelay != DefaultMaxDelay || r.NotLeader.InitialDelay != DefaultInitialDelay {
		t.Errorf("NotLeader = %+v", r.NotLeader)
	}
	if r.Timeout.MaxAttempts != 3 || r.Timeout.InitialDelay != 0 || r.Timeout.MaxDelay != 0 {
		t.Errorf("Timeout = %+v", r.Timeout)
	}
	if r.Unavailable.MaxAttempts != 10 || r.Unavailable.MaxDelay != DefaultMaxDelay || r.Connect.MaxAttempts != 10 {
		t.Errorf("Unavailable = %+v Connect = %+v", r.Unavailable, r.Connect)
	}
	// An explicit, smaller overall budget caps the class defaults...
	r = RetryConfig{MaxAttempts: 4, InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}.withDefaults()
	if r.NotLeader.MaxAttempts != 4 || r.Unavailable.MaxAttempts != 4 || r.Timeout.MaxAttempts != 3 || r.NotLeader.MaxDelay != 5*time.Millisecond {
		t.Errorf("capped: NotLeader %+v Unavailable %+v Timeout %+v", r.NotLeader, r.Unavailable, r.Timeout)
	}
	// ...and an explicit class value is kept.
	r = RetryConfig{NotLeader: RetryClass{MaxAttempts: 30, InitialDelay: time.Millisecond, MaxDelay: 2 * time.Second}}.withDefaults()
	// (the overall cap of 20 still stops a call first; that is its job)
	if r.NotLeader != (RetryClass{MaxAttempts: 30, InitialDelay: time.Millisecond, MaxDelay: 2 * time.Second}) {
		t.Errorf("explicit NotLeader = %+v", r.NotLeader)
	}
}

// TestResourceExhaustedNeverRetried: a node refusing a request as too large
// (or over a quota) refuses it the same way again.
func TestResourceExhaustedNeverRetried(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) { f.onPut = failThenOK(codes.ResourceExhausted, 100) })
	c := newTestClient(t, false, f.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.ResourceExhausted {
		t.Fatalf("err = %v, want ResourceExhausted", err)
	}
	if n := f.putCount(); n != 1 {
		t.Fatalf("attempts = %d, want 1 (never retried)", n)
	}
}

// TestServerInvalidArgumentIsTyped: the server's INVALID_ARGUMENT matches
// ErrInvalidArgument and is sent once.
func TestServerInvalidArgumentIsTyped(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onPut = func(context.Context, int, *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, status.Error(codes.InvalidArgument, "value is over the value limit")
		}
	})
	c := newTestClient(t, false, f.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var ia *InvalidArgumentError
	if !errors.Is(err, ErrInvalidArgument) || !errors.As(err, &ia) || ia.Local || f.putCount() != 1 {
		t.Fatalf("err = %v (%+v) after %d calls, want a server *InvalidArgumentError after 1", err, ia, f.putCount())
	}
}

// TestLimitsCheckedBeforeSending: every documented limit is enforced by the
// client, so nothing reaches the node (an 8 MiB value used to be uploaded
// ten times).
func TestLimitsCheckedBeforeSending(t *testing.T) {
	f := startFake(t, fakeServices{vector: true})
	c := newTestClient(t, false, f.addr)
	ctx := ctxT(t)
	long := func(n int) string { return strings.Repeat("x", n) }
	vec := make([]float32, MaxDimensions+1)
	cases := []struct {
		name, want string
		call       func() error
	}{
		{"8MiB value", "value limit", func() error { _, err := c.Put(ctx, []byte("k"), make([]byte, 8<<20), nil); return err }},
		{"value 1MiB+1", "value limit", func() error { _, err := c.Put(ctx, []byte("k"), make([]byte, MaxValueBytes+1), nil); return err }},
		{"put key 1025", "key limit", func() error { _, err := c.Put(ctx, []byte(long(1025)), nil, nil); return err }},
		{"get key 1025", "key limit", func() error { _, err := c.Get(ctx, []byte(long(1025)), nil); return err }},
		{"delete key 1025", "key limit", func() error { _, err := c.Delete(ctx, []byte(long(1025)), nil); return err }},
		{"idempotency key", "idempotency key", func() error {
			_, err := c.Put(ctx, []byte("k"), nil, &PutOptions{IdempotencyKey: long(513)})
			return err
		}},
		{"namespace 257", "namespace limit", func() error { _, err := c.VectorInsert(ctx, long(257), "a", []float32{1}, nil); return err }},
		{"id 513", "id limit", func() error { _, err := c.VectorInsert(ctx, "ns", long(513), []float32{1}, nil); return err }},
		{"dims 4097", "1..4096", func() error {
			_, err := c.VectorCreateIndex(ctx, "ns", 4097, DistanceCosine, IndexHNSW, nil)
			return err
		}},
		{"dims 0", "1..4096", func() error {
			_, err := c.VectorCreateIndex(ctx, "ns", 0, DistanceCosine, IndexHNSW, nil)
			return err
		}},
		{"vector 4097", "1..4096", func() error { _, err := c.VectorInsert(ctx, "ns", "a", vec, nil); return err }},
		{"query 4097", "1..4096", func() error { _, err := c.VectorSearch(ctx, "ns", vec, 10, nil); return err }},
		{"k 1001", "1..1000", func() error { _, err := c.VectorSearch(ctx, "ns", []float32{1}, 1001, nil); return err }},
		{"k 0", "1..1000", func() error { _, err := c.VectorSearch(ctx, "ns", []float32{1}, 0, nil); return err }},
		{"get id 513", "id limit", func() error { _, err := c.VectorGet(ctx, "ns", long(513)); return err }},
		{"delete id 513", "id limit", func() error { _, err := c.VectorDelete(ctx, "ns", long(513), nil); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ia *InvalidArgumentError
			if !errors.Is(err, ErrInvalidArgument) || !errors.As(err, &ia) || !ia.Local {
				t.Fatalf("err = %v, want a local *InvalidArgumentError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("message %q does not mention %q", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != codes.InvalidArgument {
				t.Fatalf("does not unwrap to *Error InvalidArgument: %v", err)
			}
		})
	}
	f.mu.Lock()
	sent := len(f.puts) + len(f.gets) + len(f.dels) + len(f.vecMD)
	f.mu.Unlock()
	if sent != 0 {
		t.Fatalf("%d requests reached the node; limits must be checked before sending", sent)
	}
}
