package client

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client/internal/hashing"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// unitClient returns a client that never touches the network, with
// Config.Timeout timeout.
func unitClient(t testing.TB, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{Nodes: []string{"127.0.0.1:1"}, TotalShards: 16, Timeout: timeout, DisableWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

type ctxKey struct{}

// The shared path keeps what the caller's context carries (values, e.g.
// outgoing metadata, and no deadline, so no grpc-timeout is sent), and a
// context derived from it (gRPC derives one per call) is linked to the slot
// without a goroutine or a context of its own: the whole bound costs one
// allocation. A context and timer per attempt cost 11.
func TestAttemptSharedSlotKeepsValuesAndIsCheap(t *testing.T) {
	c := unitClient(t, time.Minute)
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	actx, b := c.attemptContext(ctx, c.cfg.Timeout, time.Now())
	if b.slot == nil {
		t.Fatal("a caller context that never cancels did not get a shared slot")
	}
	if v := actx.Value(ctxKey{}); v != "v" {
		t.Fatalf("attempt context lost the caller's value: %v", v)
	}
	if d, ok := actx.Deadline(); ok {
		t.Fatalf("attempt context has a deadline (%v): gRPC would send grpc-timeout", d)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		actx, b := c.attemptContext(ctx, c.cfg.Timeout, time.Now())
		child, cancel := context.WithCancel(actx) // what gRPC does per call
		_ = child.Done()                          // gRPC selects on it
		cancel()
		if b.stop() {
			t.Fatal("stop reported a timeout")
		}
	})
	// WithCancel costs 2 (its cancelCtx and Done channel), the bound 1.
	if allocs > 4 {
		t.Fatalf("attempt bound + one child context: %.1f allocations, want <= 4", allocs)
	}
}

// countValues counts the value lookups that reach it.
type countValues struct {
	context.Context
	n atomic.Int64
}

func (c *countValues) Value(key any) any {
	c.n.Add(1)
	return c.Context.Value(key)
}

// At 64 callers a slot's cancelCtx is written by every registration from
// both cores, so the lookups gRPC makes on an attempt's context (values,
// Done) must not walk into it: a missing value is answered without the
// slot's chain (here its parent counts the lookups that reach it), while
// gRPC's per-call context still registers with the slot directly and ends
// with it. The previous slotCtx walked every missing value into the slot.
func TestAttemptSlotLookupsStayOffTheSlot(t *testing.T) {
	c := unitClient(t, time.Minute)
	parent := &countValues{Context: c.ctx}
	s := c.slots.join(parent, 0, time.Now(), c.cfg.Timeout)
	for _, caller := range []context.Context{context.Background(), context.WithValue(context.Background(), ctxKey{}, "v")} {
		actx := context.Context(&s.bg)
		if caller != context.Background() {
			actx = &slotCtx{Context: caller, slot: s.ctx, done: s.done}
		}
		before := parent.n.Load()
		child, cancel := context.WithCancel(actx) // what gRPC does per call
		v := context.WithValue(child, struct{ k int }{1}, 1)
		for range 10 {
			if got := v.Value(struct{ k int }{2}); got != nil {
				t.Fatalf("missing key found: %v", got)
			}
			_ = v.Done()
		}
		if caller != context.Background() && v.Value(ctxKey{}) != "v" {
			t.Fatal("the caller's value was lost")
		}
		cancel()
		if n := parent.n.Load() - before; n != 0 {
			t.Fatalf("%d value lookups walked through the slot to its parent, want 0", n)
		}
	}
	// Registered directly: cancelling the slot ends a child at once.
	child, cancel := context.WithCancel(&s.bg)
	defer cancel()
	s.cancel(errAttemptTimeout)
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a child of the attempt context did not end with its slot")
	}
	if cause := context.Cause(child); cause != errAttemptTimeout {
		t.Fatalf("child ended with cause %v, want the slot's errAttemptTimeout", cause)
	}
}

// A child context of an attempt (gRPC's per-call context) ends when the
// attempt outlives its limit, never before the limit, and stop reports the
// timeout.
func TestAttemptSharedSlotTimesOutAfterLimit(t *testing.T) {
	const limit = 30 * time.Millisecond
	c := unitClient(t, limit)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				sent := time.Now()
				actx, b := c.attemptContext(context.Background(), limit, sent)
				child, cancel := context.WithCancel(actx)
				select {
				case <-child.Done():
				case <-time.After(10 * time.Second):
					t.Error("attempt not cancelled 10s after a 30ms limit")
				}
				if d := time.Since(sent); d < limit {
					t.Errorf("attempt cancelled after %v, before its %v limit", d, limit)
				}
				cancel()
				if !b.stop() {
					t.Error("stop did not report the timeout")
				}
				time.Sleep(time.Duration(g) * time.Millisecond) // spread over slots
			}
		}()
	}
	wg.Wait()
}

// Close ends attempts in flight on a shared slot, and stop does not call
// that a timeout (the request loop then answers ErrClosed).
func TestAttemptSharedSlotEndsOnClose(t *testing.T) {
	c := unitClient(t, time.Minute)
	actx, b := c.attemptContext(context.Background(), c.cfg.Timeout, time.Now())
	child, cancel := context.WithCancel(actx)
	defer cancel()
	_ = c.Close()
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end an attempt in flight")
	}
	if b.stop() {
		t.Fatal("stop called Close a timeout")
	}
}

// A caller context that can be cancelled, or a doubled limit, gets a bound
// of its own, which ends with the caller's context or at its limit; a
// caller deadline nearer than the limit is left to do the job alone.
func TestAttemptOwnBound(t *testing.T) {
	c := unitClient(t, time.Minute)
	ctx, cancelCaller := context.WithCancel(context.Background())
	actx, b := c.attemptContext(ctx, c.cfg.Timeout, time.Now())
	if b.slot != nil || b.ctx == nil {
		t.Fatal("a cancellable caller context got a shared slot")
	}
	cancelCaller()
	<-actx.Done()
	if b.stop() {
		t.Fatal("the caller's cancel counted as a timeout")
	}

	actx, b = c.attemptContext(context.Background(), 20*time.Millisecond, time.Now())
	if b.slot != nil {
		t.Fatal("a limit other than Config.Timeout got a shared slot")
	}
	<-actx.Done()
	if !b.stop() {
		t.Fatal("stop did not report the timeout of an own bound")
	}

	dctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if actx, b := c.attemptContext(dctx, c.cfg.Timeout, time.Now()); actx != dctx || b.slot != nil || b.ctx != nil {
		t.Fatal("a caller deadline nearer than the limit got a bound")
	}
}

// End to end on a hung node: a Get with context.Background is cancelled on
// the server after Config.Timeout (not before), the server sees no deadline,
// and the call moves on and fails as a timeout.
func TestAttemptTimeoutOnHungNode(t *testing.T) {
	checkLeaks(t)
	const timeout = 100 * time.Millisecond
	f := startFake(t, fakeServices{})
	type seen struct {
		held        time.Duration
		hasDeadline bool
	}
	seenc := make(chan seen, 16)
	f.set(func(f *fakeNode) {
		f.onGet = func(ctx context.Context, _ int, _ *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			start := time.Now()
			_, ok := ctx.Deadline()
			<-ctx.Done()
			seenc <- seen{time.Since(start), ok}
			return nil, ctx.Err()
		}
	})
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, Timeout: timeout, DisableWatch: true,
		Retry: RetryConfig{Timeout: RetryClass{MaxAttempts: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, err = c.Get(context.Background(), []byte("k"), nil)
	if err == nil {
		t.Fatal("Get on a hung node succeeded")
	}
	if d := time.Since(start); d < timeout {
		t.Fatalf("Get failed after %v, before Config.Timeout %v: %v", d, timeout, err)
	}
	s := <-seenc
	if s.hasDeadline {
		t.Fatal("the server saw a deadline: the client sent grpc-timeout")
	}
	// The server notices the cancel a little after the client sent it; the
	// lower bound is the client's: the attempt was held at least ~timeout.
	if s.held < timeout/2 {
		t.Fatalf("server held the request %v only", s.held)
	}
}

// The client's own cost over the raw stub, in allocations per Get against a
// node that answers at once (the server's allocations, in this process, are
// the same on both sides). It was 17 (a context, timer and closures per
// attempt; header and trailer captured on every call); now the result and
// the attempt's bound. -race adds its own: checked without it.
func TestGetAllocationsNearRawStub(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return &norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 1, Index: 1}}, nil
		}
	})
	c := newTestClient(t, false, f.addr)
	cc, err := grpc.NewClient(f.addr, c.pool.DialOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	raw := norikvpb.NewKvClient(cc)
	ctx, key := context.Background(), []byte("k")
	get := func(get func() error) float64 {
		return allocsPerCall(t, get, func() { f.set(func(f *fakeNode) { f.gets = f.gets[:0] }) })
	}
	rawAllocs := get(func() error {
		_, err := raw.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "lease"})
		return err
	})
	cliAllocs := get(func() error { _, err := c.Get(ctx, key, nil); return err })
	t.Logf("allocations per Get: client %.1f, raw stub %.1f", cliAllocs, rawAllocs)
	// One more: the *GetResult the API returns (the attempt's context is
	// shared by its slot for callers using context.Background).
	if extra := cliAllocs - rawAllocs; extra > 1 {
		t.Fatalf("client Get %.1f allocations, raw stub %.1f: %.1f more, want <= 1", cliAllocs, rawAllocs, extra)
	}
}

// The same for Put, whose raw side sends an idempotency key drawn by the
// client's generator (as BenchmarkKVRatio's does): the client adds nothing
// (the Version it returns is a value). Measured at 64 callers against a
// fake node holding each Put 200 µs, both sides made 145 allocations a Put.
func TestPutAllocationsNearRawStub(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	f := startFake(t, fakeServices{})
	c := newTestClient(t, false, f.addr)
	cc, err := grpc.NewClient(f.addr, c.pool.DialOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	raw := norikvpb.NewKvClient(cc)
	ctx, key, value := context.Background(), []byte("k"), make([]byte, 100)
	shard := hashing.Shard(key, c.sh().total)
	put := func(put func() error) float64 {
		return allocsPerCall(t, put, func() { f.set(func(f *fakeNode) { f.puts = f.puts[:0] }) })
	}
	rawAllocs := put(func() error {
		_, err := raw.Put(ctx, &norikvpb.PutRequest{Key: key, Value: value, IdempotencyKey: c.nextIdempotencyKey(shard)})
		return err
	})
	cliAllocs := put(func() error { _, err := c.Put(ctx, key, value, nil); return err })
	t.Logf("allocations per Put: client %.1f, raw stub %.1f", cliAllocs, rawAllocs)
	if extra := cliAllocs - rawAllocs; extra > 0 {
		t.Fatalf("client Put %.1f allocations, raw stub %.1f: %.1f more, want none", cliAllocs, rawAllocs, extra)
	}
}

// allocsPerCall warms call up (connecting, filling pools), then counts its
// allocations per run; forget clears what the fake node recorded, so its
// record of calls does not grow during the count.
func allocsPerCall(t *testing.T, call func() error, forget func()) float64 {
	t.Helper()
	for i := 0; i < 50; i++ {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	forget()
	return testing.AllocsPerRun(500, func() {
		if err := call(); err != nil {
			t.Fatal(err)
		}
		forget()
	})
}
