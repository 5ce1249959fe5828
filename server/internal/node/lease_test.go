package node

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// gatedConfirm is a quorum round that counts its calls and blocks until
// released, so tests can line reads up behind it.
type gatedConfirm struct {
	calls   atomic.Int32
	release chan struct{}
	window  time.Duration
}

func (g *gatedConfirm) confirm(ctx context.Context, _ time.Duration) (roundResult, error) {
	g.calls.Add(1)
	<-g.release
	return roundResult{term: 7, window: g.window}, nil
}

func TestLeaseRoundsAreBatched(t *testing.T) {
	g := &gatedConfirm{release: make(chan struct{}), window: time.Second}
	k := newLeaseKeeper(time.Second, g.confirm)
	defer k.close()
	first := k.round(time.Now())
	// Reads arriving while the first round runs share one next round.
	var wg sync.WaitGroup
	rounds := make(chan *quorumRound, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rounds <- k.round(time.Now())
		}()
	}
	wg.Wait()
	close(rounds)
	var next *quorumRound
	for r := range rounds {
		if r == first {
			t.Fatal("a read that arrived after a round started joined it")
		}
		if next != nil && r != next {
			t.Fatal("reads waiting behind the same round got different rounds")
		}
		next = r
	}
	close(g.release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := next.wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !next.start.After(first.start) {
		t.Fatal("the queued round did not start after the first")
	}
	if n := g.calls.Load(); n != 2 {
		t.Fatalf("%d quorum rounds for 51 reads, want 2", n)
	}
}

func TestLeaseGrantAndLength(t *testing.T) {
	g := &gatedConfirm{release: make(chan struct{}), window: time.Second}
	close(g.release)
	k := newLeaseKeeper(time.Second, g.confirm)
	defer k.close()
	if k.holds(7) {
		t.Fatal("lease holds before any round")
	}
	before := time.Now()
	r := k.round(before)
	if _, err := r.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !k.holds(7) || k.holds(8) {
		t.Fatal("lease should hold for the round's term only")
	}
	k.mu.Lock()
	length, until := k.length, k.until
	k.mu.Unlock()
	want := time.Duration(float64(time.Second)*(1-driftMargin)) - safetyGap
	if length != want || until.After(r.start.Add(want)) {
		t.Fatalf("lease length %v until %v, want %v from the round's start", length, until.Sub(r.start), want)
	}
}

func TestLeaseShortWindowGrantsNothing(t *testing.T) {
	g := &gatedConfirm{release: make(chan struct{}), window: 10 * time.Millisecond}
	close(g.release)
	k := newLeaseKeeper(time.Second, g.confirm)
	defer k.close()
	if _, err := k.round(time.Now()).wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k.holds(7) {
		t.Fatal("a follower about to time out must not grant a lease")
	}
}

func TestLeaseRevokedByTransfer(t *testing.T) {
	g := &gatedConfirm{release: make(chan struct{}), window: time.Second}
	k := newLeaseKeeper(time.Second, g.confirm)
	defer k.close()
	first := k.round(time.Now())
	g.release <- struct{}{} // let exactly one round finish
	if _, err := first.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !k.holds(7) {
		t.Fatal("no lease after a round")
	}
	// A round in flight when the transfer starts...
	during := k.round(time.Now())
	done := k.revoke()
	if k.holds(7) {
		t.Fatal("lease holds after revoke")
	}
	// ... and one that started before the transfer ended grant nothing.
	g.release <- struct{}{}
	if _, err := during.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k.holds(7) {
		t.Fatal("a round that started before the transfer granted a lease")
	}
	started := k.round(time.Now())
	done(false)
	g.release <- struct{}{}
	if _, err := started.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if k.holds(7) {
		t.Fatal("a round that started during the transfer granted a lease")
	}
	after := k.round(time.Now())
	g.release <- struct{}{}
	if _, err := after.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !k.holds(7) {
		t.Fatal("a round after the transfer ended granted no lease")
	}
}

func TestLeaseRenewsOnlyWhileReadsArrive(t *testing.T) {
	g := &gatedConfirm{release: make(chan struct{}), window: 200 * time.Millisecond}
	close(g.release)
	k := newLeaseKeeper(time.Second, g.confirm)
	defer k.close()
	if _, err := k.round(time.Now()).wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Idle: no reads, no rounds.
	time.Sleep(300 * time.Millisecond)
	if n := g.calls.Load(); n != 1 {
		t.Fatalf("%d rounds while idle, want 1", n)
	}
	// Reads past half of the lease start a renewal before it runs out.
	if _, err := k.round(time.Now()).wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for g.calls.Load() < 3 {
		k.holds(7)
		if time.Now().After(deadline) {
			t.Fatal("reads in the second half of a lease did not renew it")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
