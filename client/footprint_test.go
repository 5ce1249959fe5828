package client

import (
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unsafe"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// growStack makes the goroutine's stack large enough that a call below it
// does not move it (a moved stack would make the addresses compared below
// meaningless).
//
//go:noinline
func growStack(depth int) byte {
	var pad [1024]byte
	if depth > 0 {
		pad[depth%len(pad)] = growStack(depth - 1)
	}
	return pad[0]
}

// stackAddr returns the address of a variable in its caller's frame.
//
//go:noinline
func stackAddr(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }

// At 64 callers on two cores the stack each call touches costs CPU (64
// goroutines' stacks do not stay in cache): the request loop's frame (864
// bytes, its state zeroed on entry) made 64-caller Get cost ~3% more CPU
// per op than the first-attempt path that successful calls now take. This
// bounds the stack the client's own frames put between a caller and the
// generated stub on that path (the loop put ~1.3 KB there).
func TestSuccessfulCallStackFootprint(t *testing.T) {
	if raceEnabled {
		t.Skip("-race instruments frames: the bound is for normal builds")
	}
	c := unitClient(t, 0)
	n, err := c.pool.Get("127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	const shard = 3
	c.cacheLeader(shard, "n1", n.Addr)
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no stack shrinking meanwhile
	done := make(chan uintptr)
	go func() {
		growStack(64)
		var top byte
		base := stackAddr(&top)
		var depth uintptr
		cl := call{op: opGet, shard: shard}
		err := c.invoke(context.Background(), &cl, func(context.Context, *pool.Node, []grpc.CallOption) error {
			var here byte
			depth = base - stackAddr(&here)
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		done <- depth
	}()
	depth := <-done
	t.Logf("stack from the caller to the attempt: %d bytes", depth)
	if depth == 0 || depth > 768 {
		t.Fatalf("a successful call puts %d bytes of stack between its caller and the attempt, want <= 768", depth)
	}
}

// A first attempt sent on the fast path (cached leader) that fails is taken
// up by the request loop as its first attempt: here it times out on a hung
// node, which is counted once, suspected, and reported as an attempt
// timeout; then a NOT_LEADER from the cached leader is asked again with
// header and trailer and its hint followed, as in the loop.
func TestFirstAttemptFailureContinuesInLoop(t *testing.T) {
	const timeout = 100 * time.Millisecond
	hung := startFake(t, fakeServices{})
	hung.set(func(f *fakeNode) {
		f.onGet = func(ctx context.Context, _ int, _ *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	})
	c, err := New(Config{Nodes: []string{hung.addr}, TotalShards: 16, Timeout: timeout, DisableWatch: true,
		Retry: RetryConfig{Timeout: RetryClass{MaxAttempts: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := []byte("k")
	shard := ShardForKey(key, 16)
	if _, err := c.pool.Get(hung.addr); err != nil {
		t.Fatal(err)
	}
	c.cacheLeader(shard, "n1", hung.addr)
	_, err = c.Get(context.Background(), key, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.DeadlineExceeded || !strings.Contains(err.Error(), "Config.Timeout") {
		t.Fatalf("err = %v, want an attempt timeout naming Config.Timeout", err)
	}
	if !c.pool.IsDown(hung.addr) {
		t.Fatal("the node whose first attempt timed out is not suspected")
	}
	s := c.Stats()
	if got := s.NodeOps["get"][hung.addr].Calls; got != 1 {
		t.Fatalf("node attempts = %d, want 1", got)
	}
	if op := s.Ops["get"]; op.Calls != 1 || op.Errors != 1 {
		t.Fatalf("get calls/errors = %d/%d, want 1/1", op.Calls, op.Errors)
	}

	// NOT_LEADER on the fast path: asked again with metadata, then the
	// hint is followed.
	leader := startFake(t, fakeServices{})
	leader.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return &norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 1, Index: 1}}, nil
		}
	})
	follower := startFake(t, fakeServices{})
	follower.set(func(f *fakeNode) {
		f.onGet = func(ctx context.Context, _ int, _ *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return nil, notLeader(ctx, hintKey, leader.addr, false)
		}
	})
	c2 := newTestClient(t, false, follower.addr, leader.addr)
	if _, err := c2.pool.Get(follower.addr); err != nil {
		t.Fatal(err)
	}
	c2.cacheLeader(shard, "n2", follower.addr)
	res, err := c2.Get(context.Background(), key, nil)
	if err != nil || string(res.Value) != "v" {
		t.Fatalf("Get after NOT_LEADER = %v, %v", res, err)
	}
	if n := len(follower.getReqs()); n != 2 {
		t.Fatalf("follower asked %d times, want 2 (the second with header and trailer)", n)
	}
	if s := c2.Stats(); s.Ops["get"].Redirects != 1 || s.NodeOps["get"][follower.addr].Calls != 2 {
		t.Fatalf("redirects %d, follower attempts %d; want 1, 2", s.Ops["get"].Redirects, s.NodeOps["get"][follower.addr].Calls)
	}
}
