package client

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestRedirectHintForms(t *testing.T) {
	cases := []struct {
		name     string
		key      string
		inHeader bool
		byID     bool
	}{
		{"leader-hint trailer address", hintKey, false, false},
		{"leader-hint header address", hintKey, true, false},
		{"x-norikv-leader trailer address", altHintKey, false, false},
		{"x-norikv-leader header address", altHintKey, true, false},
		{"leader-hint trailer node id", hintKey, false, true},
		{"x-norikv-leader header node id", altHintKey, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			follower := startFake(t, fakeServices{meta: true})
			leader := startFake(t, fakeServices{})
			nodes := map[string]string{"n1": follower.addr, "n2": leader.addr}
			// The view wrongly names the follower as leader, as after a move.
			follower.set(func(f *fakeNode) {
				f.onWatch = func(s grpcViewStream) error {
					if err := s.Send(view(1, 16, "n1", nodes)); err != nil {
						return err
					}
					<-s.Context().Done()
					return nil
				}
				f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
					hint := leader.addr
					if tc.byID {
						hint = "n2"
					}
					return nil, notLeader(ctx, tc.key, hint, tc.inHeader)
				}
			})
			c := newTestClient(t, true, follower.addr)
			if err := c.Connect(ctxT(t)); err != nil {
				t.Fatalf("Connect: %v", err)
			}
			if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if got := leader.putCount(); got != 1 {
				t.Fatalf("leader got %d puts, want 1", got)
			}
			st := c.Stats().Ops["put"]
			if st.Redirects != 1 || st.Retries != 0 {
				t.Fatalf("redirects=%d retries=%d, want 1 and 0 (a hint is followed without a retry)", st.Redirects, st.Retries)
			}
			r := c.Route([]byte("k"))
			if r.LeaderAddr != leader.addr || !r.FromCache {
				t.Fatalf("route after redirect = %+v, want leader %s from cache", r, leader.addr)
			}
			if tc.byID && r.LeaderID != "n2" {
				t.Fatalf("route leader id = %q, want n2", r.LeaderID)
			}
			// The next put goes straight to the cached leader.
			if _, err := c.Put(ctxT(t), []byte("k"), []byte("v2"), nil); err != nil {
				t.Fatalf("second Put: %v", err)
			}
			// The first Put asked the follower twice: without asking for
			// the answer's metadata (the hot path does not), then with it
			// to read the hint (see callMD in invoke.go).
			if got := follower.putCount(); got != 2 {
				t.Fatalf("follower got %d puts, want 2 (leader cache not used, or not asked again for the hint)", got)
			}
			// For a while the follower's answers are captured at once: a
			// key of another shard, which the view still routes to it, costs
			// it one request and is redirected.
			other := []byte("k")
			for i := 0; ShardForKey(other, 16) == ShardForKey([]byte("k"), 16); i++ {
				other = []byte(fmt.Sprintf("k%d", i))
			}
			if _, err := c.Put(ctxT(t), other, []byte("v"), nil); err != nil {
				t.Fatalf("Put of another shard: %v", err)
			}
			if got, lead := follower.putCount(), leader.putCount(); got != 3 || lead != 3 {
				t.Fatalf("follower %d, leader %d puts: want 3 and 3 (the follower asked once, its hint followed)", got, lead)
			}
		})
	}
}

func TestRedirectWithoutHintRelocates(t *testing.T) {
	a := startFake(t, fakeServices{})
	b := startFake(t, fakeServices{})
	a.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, "", "", false)
		}
	})
	b.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, "", "", false)
		}
	})
	c := newTestClient(t, false, a.addr, b.addr)
	// Both refuse without a hint: the client tries each node, then gives up
	// after MaxAttempts with ErrNoLeader (an election, not a dead node).
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var ce *ConnectionError
	if !errors.Is(err, ErrNoLeader) || errors.As(err, &ce) {
		t.Fatalf("err = %v, want ErrNoLeader and no *ConnectionError", err)
	}
	if a.putCount() == 0 || b.putCount() == 0 {
		t.Fatalf("puts a=%d b=%d: want both nodes tried", a.putCount(), b.putCount())
	}
	// MaxAttempts, plus the first NOT_LEADER asked again for its hint.
	if got := a.putCount() + b.putCount(); got != 5 {
		t.Fatalf("total attempts %d, want MaxAttempts=4 + 1", got)
	}
	// Now b becomes leader: the next call relocates to it.
	b.set(func(f *fakeNode) { f.onPut = nil })
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put after b became leader: %v", err)
	}
}

func TestStaleHintPingPong(t *testing.T) {
	a := startFake(t, fakeServices{})
	b := startFake(t, fakeServices{})
	leader := startFake(t, fakeServices{})
	// a and b each name the other: a stale pair. The client must not loop;
	// it relocates to the remaining seed, the real leader.
	a.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, b.addr, false)
		}
	})
	b.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, a.addr, false)
		}
	})
	c := newTestClient(t, false, a.addr, b.addr, leader.addr)
	// Seed order is round-robin; force the first attempt to a via the cache.
	c.cacheLeader(ShardForKey([]byte("k"), 16), "", a.addr)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if leader.putCount() != 1 {
		t.Fatalf("leader puts = %d, want 1", leader.putCount())
	}
	// a is asked twice: its first NOT_LEADER was not captured (see callMD).
	if a.putCount() != 2 || b.putCount() != 1 {
		t.Fatalf("a=%d b=%d, want a asked twice (once for the hint), b once", a.putCount(), b.putCount())
	}
}

func TestStaleHintToDeadNode(t *testing.T) {
	a := startFake(t, fakeServices{})
	leader := startFake(t, fakeServices{})
	dead := deadAddr(t)
	a.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, dead, false)
		}
	})
	c := newTestClient(t, false, a.addr, leader.addr)
	c.cacheLeader(ShardForKey([]byte("k"), 16), "", a.addr)
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if leader.putCount() != 1 {
		t.Fatalf("leader puts = %d, want 1", leader.putCount())
	}
}

func TestVectorNotLeaderFailedPreconditionIsRedirect(t *testing.T) {
	follower := startFake(t, fakeServices{vector: true})
	leader := startFake(t, fakeServices{vector: true})
	follower.set(func(f *fakeNode) {
		f.onVector = func(ctx context.Context, _ metadata.MD) error {
			_ = setTrailer(ctx, altHintKey, leader.addr)
			return status.Error(codes.FailedPrecondition, "Not leader")
		}
	})
	c := newTestClient(t, false, follower.addr)
	v, err := c.VectorInsert(ctxT(t), "docs", "a", []float32{1, 2}, nil)
	if err != nil {
		t.Fatalf("VectorInsert: %v", err)
	}
	if v != (Version{Term: 2, Index: 9}) {
		t.Fatalf("version = %+v", v)
	}
}

func TestTooManyRedirects(t *testing.T) {
	a := startFake(t, fakeServices{})
	// a always names itself under a different spelling of its address
	// (localhost vs 127.0.0.1), which the client cannot recognise as the
	// same node, so only the redirect cap stops the loop.
	c, err := New(Config{Nodes: []string{a.addr}, TotalShards: 16, MaxRedirects: 3, DisableWatch: true,
		Retry: RetryConfig{MaxAttempts: 2, InitialDelay: time.Millisecond, Jitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, port := splitPort(a.addr)
	n := 0
	a.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			n++
			host := "127.0.0.1"
			if n%2 == 1 {
				host = "localhost"
			}
			return nil, notLeader(ctx, hintKey, host+":"+port, false)
		}
	})
	_, err = c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	if got := a.putCount(); got > 8 {
		t.Fatalf("%d attempts: redirect cap not enforced", got)
	}
}
