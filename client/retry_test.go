package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// failThenOK answers code for the first n calls, then succeeds.
func failThenOK(code codes.Code, n int) func(context.Context, int, *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
	return func(_ context.Context, i int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
		if i <= n {
			return nil, status.Error(code, "scripted "+code.String())
		}
		return &norikvpb.PutResponse{Version: &norikvpb.Version{Term: 3, Index: uint64(i)}}, nil
	}
}

func TestRetriedCodes(t *testing.T) {
	for _, code := range []codes.Code{codes.Unavailable, codes.Aborted} {
		t.Run(code.String(), func(t *testing.T) {
			f := startFake(t, fakeServices{})
			f.set(func(f *fakeNode) { f.onPut = failThenOK(code, 2) })
			c := newTestClient(t, false, f.addr)
			v, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if v.Index != 3 || f.putCount() != 3 {
				t.Fatalf("version %+v after %d calls, want index 3 after 3 calls", v, f.putCount())
			}
			if r := c.Stats().Ops["put"].Retries; r != 2 {
				t.Fatalf("retries = %d, want 2", r)
			}
		})
	}
}

func TestAttemptDeadlineIsRetried(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, i int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			if i == 1 {
				<-ctx.Done() // hang until the attempt's deadline
				return nil, ctx.Err()
			}
			return &norikvpb.PutResponse{Version: &norikvpb.Version{Term: 1, Index: 1}}, nil
		}
	})
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, Timeout: 50 * time.Millisecond, DisableWatch: true,
		Retry: RetryConfig{MaxAttempts: 3, InitialDelay: time.Millisecond, Jitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if f.putCount() != 2 {
		t.Fatalf("calls = %d, want 2", f.putCount())
	}
}

func TestConnectionFailureIsRetriedOnAnotherNode(t *testing.T) {
	f := startFake(t, fakeServices{})
	dead := deadAddr(t)
	c := newTestClient(t, false, dead, f.addr)
	c.cacheLeader(ShardForKey([]byte("k"), 16), "", dead)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if f.putCount() != 1 {
		t.Fatalf("live node calls = %d, want 1", f.putCount())
	}
	if r := c.Route([]byte("k")); r.LeaderAddr == dead {
		t.Fatalf("dead leader still cached: %+v", r)
	}
}

func TestNeverRetriedCodes(t *testing.T) {
	cases := []struct {
		code  codes.Code
		check func(error) bool
	}{
		{codes.InvalidArgument, func(err error) bool { var e *Error; return errors.As(err, &e) && e.Code == codes.InvalidArgument }},
		{codes.NotFound, func(err error) bool { return errors.Is(err, ErrKeyNotFound) }},
		{codes.FailedPrecondition, func(err error) bool { var e *Error; return errors.As(err, &e) && e.Code == codes.FailedPrecondition }},
		{codes.AlreadyExists, func(err error) bool { return errors.Is(err, ErrAlreadyExists) }},
		{codes.Unimplemented, func(err error) bool { return errors.Is(err, ErrUnsupported) }},
	}
	for _, tc := range cases {
		t.Run(tc.code.String(), func(t *testing.T) {
			f := startFake(t, fakeServices{})
			f.set(func(f *fakeNode) { f.onPut = failThenOK(tc.code, 100) })
			c := newTestClient(t, false, f.addr)
			_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
			if !tc.check(err) {
				t.Fatalf("err = %v: wrong type for %s", err, tc.code)
			}
			if f.putCount() != 1 {
				t.Fatalf("calls = %d, want 1 (never retried)", f.putCount())
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Op != "put" {
				t.Fatalf("errors.As *Error = %+v, want code %s op put", e, tc.code)
			}
		})
	}
}

func TestRetryBudgetExhausted(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) { f.onPut = failThenOK(codes.Unavailable, 1000) })
	c := newTestClient(t, false, f.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Addr != f.addr {
		t.Fatalf("err = %v, want *ConnectionError for %s", err, f.addr)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.Unavailable {
		t.Fatalf("ConnectionError does not unwrap to *Error Unavailable: %v", err)
	}
	if f.putCount() != 4 {
		t.Fatalf("attempts = %d, want MaxAttempts=4", f.putCount())
	}
}

func TestRetryStopsAtCallerDeadline(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) { f.onPut = failThenOK(codes.Unavailable, 1000) })
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, DisableWatch: true,
		Retry: RetryConfig{MaxAttempts: 1000, InitialDelay: 20 * time.Millisecond, MaxDelay: 20 * time.Millisecond, Jitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Put(ctx, []byte("k"), []byte("v"), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.DeadlineExceeded {
		t.Fatalf("err is not an *Error DeadlineExceeded: %v", err)
	}
	if n := f.putCount(); n >= 1000 {
		t.Fatalf("%d attempts: context not honoured", n)
	}
}

func TestIdempotencyKeyStableAcrossRetries(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) { f.onPut = failThenOK(codes.Unavailable, 2) })
	c := newTestClient(t, false, f.addr)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	reqs := f.putReqs()
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d, want 3", len(reqs))
	}
	key := reqs[0].GetIdempotencyKey()
	if key == "" {
		t.Fatal("no idempotency key generated")
	}
	for i, r := range reqs {
		if r.GetIdempotencyKey() != key {
			t.Fatalf("attempt %d key %q != first %q", i, r.GetIdempotencyKey(), key)
		}
	}
	// A second write gets a different key; a caller's key is kept verbatim.
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), &PutOptions{IdempotencyKey: "mine"}); err != nil {
		t.Fatal(err)
	}
	reqs = f.putReqs()
	if got := reqs[len(reqs)-1].GetIdempotencyKey(); got != "mine" {
		t.Fatalf("caller key = %q, want mine", got)
	}
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	reqs = f.putReqs()
	if got := reqs[len(reqs)-1].GetIdempotencyKey(); got == key || got == "" {
		t.Fatalf("second generated key %q reuses the first %q", got, key)
	}
}

func TestConsistencyVocabularyFallback(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(_ context.Context, _ int, req *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			switch req.GetConsistency() {
			case "", "strong", "eventual":
				return &norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 1, Index: 2}}, nil
			}
			return nil, status.Error(codes.InvalidArgument, "Unknown consistency level: "+req.GetConsistency())
		}
	})
	c := newTestClient(t, false, f.addr)
	for _, level := range []ConsistencyLevel{ConsistencyLinearizable, ConsistencyLinearizable, ConsistencyStaleOK} {
		if _, err := c.Get(ctxT(t), []byte("k"), &GetOptions{Consistency: level}); err != nil {
			t.Fatalf("Get %s: %v", level, err)
		}
	}
	var sent []string
	for _, r := range f.getReqs() {
		sent = append(sent, r.GetConsistency())
	}
	want := []string{"linearizable", "strong", "strong", "eventual"}
	if len(sent) != len(want) {
		t.Fatalf("sent %q, want %q", sent, want)
	}
	for i := range want {
		if sent[i] != want[i] {
			t.Fatalf("sent %q, want %q (the node's vocabulary must be remembered)", sent, want)
		}
	}
}

func TestEmptyGetIsNotFound(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return &norikvpb.GetResponse{}, nil
		}
	})
	c := newTestClient(t, false, f.addr)
	if _, err := c.Get(ctxT(t), []byte("k"), nil); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("err = %v, want ErrKeyNotFound", err)
	}
}

func TestVersionMismatchErrors(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onPut = func(_ context.Context, _ int, req *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			if string(req.GetKey()) == "missing" {
				return nil, status.Error(codes.FailedPrecondition, "key does not exist")
			}
			return nil, status.Error(codes.FailedPrecondition, "version mismatch: expected term=1 index=5, current term=2 index=9")
		}
	})
	c := newTestClient(t, false, f.addr)
	exp := &Version{Term: 1, Index: 5}
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), &PutOptions{IfMatchVersion: exp})
	var vm *VersionMismatchError
	if !errors.As(err, &vm) {
		t.Fatalf("err = %v, want *VersionMismatchError", err)
	}
	if vm.Expected == nil || *vm.Expected != *exp || vm.Current == nil || *vm.Current != (Version{Term: 2, Index: 9}) {
		t.Fatalf("mismatch = expected %v current %v", vm.Expected, vm.Current)
	}
	if errors.Is(err, ErrKeyNotFound) {
		t.Fatal("a plain mismatch must not match ErrKeyNotFound")
	}
	_, err = c.Put(ctxT(t), []byte("missing"), []byte("v"), &PutOptions{IfMatchVersion: exp})
	if !errors.As(err, &vm) || !vm.KeyMissing || vm.Current != nil || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("err = %v, want a key-missing VersionMismatchError matching ErrKeyNotFound", err)
	}
	if f.putCount() != 2 {
		t.Fatalf("CAS failures were retried: %d calls", f.putCount())
	}
}

func TestBadInputIsRejectedLocally(t *testing.T) {
	f := startFake(t, fakeServices{})
	c := newTestClient(t, false, f.addr)
	checks := map[string]error{}
	_, checks["empty key"] = c.Put(ctxT(t), nil, []byte("v"), nil)
	_, checks["negative ttl"] = c.Put(ctxT(t), []byte("k"), nil, &PutOptions{TTL: -time.Second})
	_, checks["k=0"] = c.VectorSearch(ctxT(t), "ns", []float32{1}, 0, nil)
	_, checks["bad shard"] = c.SnapshotShard(ctxT(t), 99)
	_, checks["bad limit"] = c.Scan(ctxT(t), &ScanOptions{Limit: -1})
	for name, err := range checks {
		var e *Error
		if !errors.As(err, &e) || e.Code != codes.InvalidArgument || e.Message == "" {
			t.Errorf("%s: err = %v, want InvalidArgument with a message", name, err)
		}
	}
	if f.putCount() != 0 {
		t.Fatal("bad input reached the server")
	}
	if _, err := New(Config{TotalShards: 16}); err == nil {
		t.Fatal("New without nodes succeeded")
	}
	if _, err := New(Config{Nodes: []string{"nohostport"}, TotalShards: 16}); err == nil {
		t.Fatal("New with a bad address succeeded")
	}
	if _, err := New(Config{Nodes: []string{"127.0.0.1:1"}}); err == nil {
		t.Fatal("New without TotalShards succeeded")
	}
}

func TestRecentlyFailedNodeIsAvoided(t *testing.T) {
	f := startFake(t, fakeServices{})
	dead := deadAddr(t)
	c := newTestClient(t, false, dead, f.addr)
	shard := ShardForKey([]byte("k"), 16)
	c.cacheLeader(shard, "", dead)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	retries := c.Stats().Ops["put"].Retries
	// A stale cache entry (say, from an old view) names the dead node again:
	// it failed moments ago, so the next call goes elsewhere at once.
	c.cacheLeader(shard, "", dead)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats().Ops["put"].Retries; got != retries {
		t.Fatalf("retries went from %d to %d: the recently failed node was tried again", retries, got)
	}
}

// passedDeadline is a context whose deadline has passed but which has not
// noticed yet (its Err is nil and Done open): the moment between a
// context's deadline and its timer, in which gRPC, reading the deadline
// itself, already answers DeadlineExceeded. The old request loop took that
// answer for a timed-out attempt, suspected the node, retried until its
// timeout budget ran out and returned an error that did not wrap
// context.DeadlineExceeded (TestRetryStopsAtCallerDeadline failed so once
// under -race in CI).
type passedDeadline struct{ context.Context }

func (passedDeadline) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

func TestCallerDeadlinePassedBeforeItsContextNoticed(t *testing.T) {
	f := startFake(t, fakeServices{})
	c := newTestClient(t, false, f.addr)
	if _, err := c.Put(ctxT(t), []byte("warm"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	before := f.putCount()
	_, err := c.Put(passedDeadline{context.Background()}, []byte("k"), []byte("v"), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's context.DeadlineExceeded", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.DeadlineExceeded {
		t.Fatalf("err is not an *Error DeadlineExceeded: %v", err)
	}
	if n := f.putCount() - before; n > 0 {
		t.Errorf("%d Puts reached the node after the caller's deadline had passed", n)
	}
}
