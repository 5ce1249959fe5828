package raft

// Tests of the NoriKV patch (README.NORIKV.md): Applies arriving while the
// leader's own log write runs are dispatched to the followers at once.

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// applyDuringHeldWrite holds leader l's next log write, applies "x" (whose
// write is the one held) and then "y" and "z", and returns their futures.
func applyDuringHeldWrite(t *testing.T, c *overlapCluster, l int, failHeld bool) (futures []ApplyFuture, release func()) {
	t.Helper()
	entered, releaseOnce := c.stores[l].hold()
	c.stores[l].mu.Lock()
	c.stores[l].failHeld = failHeld
	c.stores[l].mu.Unlock()
	var once sync.Once
	release = func() { once.Do(releaseOnce) }
	t.Cleanup(release)
	futures = append(futures, c.rafts[l].Apply([]byte("x"), 10*time.Second))
	<-entered
	for _, cmd := range []string{"y", "z"} {
		futures = append(futures, c.rafts[l].Apply([]byte(cmd), 10*time.Second))
	}
	return futures, release
}

// waitAll waits for the futures' results, at most d.
func waitAll(futures []ApplyFuture, d time.Duration) (errs []error, ok bool) {
	done := make(chan []error, 1)
	go func() {
		var errs []error
		for _, f := range futures {
			errs = append(errs, f.Error())
		}
		done <- errs
	}()
	select {
	case errs := <-done:
		return errs, true
	case <-time.After(d):
		return nil, false
	}
}

// appliedOn returns the commands node i's state machine applied.
func (c *overlapCluster) appliedOn(i int) []string {
	c.fsms[i].Lock()
	defer c.fsms[i].Unlock()
	var got []string
	for _, b := range c.fsms[i].logs {
		got = append(got, string(b))
	}
	return got
}

// sameEverywhere waits until every replica applied the same commands, at
// least want of them, and returns them.
func (c *overlapCluster) sameEverywhere(t *testing.T, want int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ref := c.appliedOn(0)
		same := len(ref) >= want
		for i := 1; i < len(c.fsms) && same; i++ {
			same = fmt.Sprint(c.appliedOn(i)) == fmt.Sprint(ref)
		}
		if same {
			return ref
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas applied different commands: %v, %v, %v", c.appliedOn(0), c.appliedOn(1), c.appliedOn(2))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDispatchDuringLeaderWrite holds the leader's log write of "x": "y"
// and "z", applied meanwhile, reach both followers and commit without
// waiting for it (before the patch they waited in the leader loop's queue
// until the write returned); once released the leader writes them to its
// own log too, keeps leading, and every replica applies the same commands.
func TestDispatchDuringLeaderWrite(t *testing.T) {
	c := startOverlapCluster(t, true)
	l := c.leader(t)
	if err := c.rafts[l].Apply([]byte("warm"), 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	futures, release := applyDuringHeldWrite(t, c, l, false)
	errs, ok := waitAll(futures, 10*time.Second)
	if !ok {
		t.Fatal("Applies made during the leader's write waited for it although both followers could store them")
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := c.appliedOn(l); fmt.Sprint(got) != "[warm x y z]" {
		t.Fatalf("leader applied %v during its write, want [warm x y z]", got)
	}
	last := futures[len(futures)-1].Index()
	var entry Log
	if err := c.stores[l].GetLog(last, &entry); err == nil {
		t.Fatalf("the leader's own log holds entry %d while its write of an earlier one is held", last)
	}
	release()
	deadline := time.Now().Add(10 * time.Second)
	for c.stores[l].GetLog(last, &entry) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the leader never wrote entry %d to its own log", last)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if string(entry.Data) != "z" {
		t.Fatalf("leader's entry %d holds %q, want z", last, entry.Data)
	}
	if err := c.rafts[l].Apply([]byte("w"), 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	if got := c.sameEverywhere(t, 5); fmt.Sprint(got) != "[warm x y z w]" {
		t.Fatalf("replicas applied %v, want [warm x y z w]", got)
	}
}

// TestDispatchDuringLeaderWriteFailure: the held write fails after "y" and
// "z" were dispatched, or the write that follows it (of "y" and "z") does.
// The followers committed all three meanwhile, so every Apply succeeds; the
// leader steps down, and the cluster goes on with identical replicas that
// hold each command once.
func TestDispatchDuringLeaderWriteFailure(t *testing.T) {
	for _, which := range []string{"held write", "next write"} {
		t.Run(which, func(t *testing.T) {
			c := startOverlapCluster(t, true)
			l := c.leader(t)
			if err := c.rafts[l].Apply([]byte("warm"), 5*time.Second).Error(); err != nil {
				t.Fatal(err)
			}
			futures, release := applyDuringHeldWrite(t, c, l, which == "held write")
			errs, ok := waitAll(futures, 10*time.Second)
			if !ok {
				t.Fatal("Applies made during the leader's write waited for it")
			}
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if which == "next write" {
				c.stores[l].mu.Lock()
				c.stores[l].failNext = true
				c.stores[l].mu.Unlock()
			}
			release()
			deadline := time.Now().Add(10 * time.Second)
			for c.rafts[l].State() == Leader {
				if time.Now().After(deadline) {
					t.Fatal("the leader kept leading after its log write failed")
				}
				time.Sleep(5 * time.Millisecond)
			}
			var err error
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
				if err = c.rafts[c.leader(t)].Apply([]byte("w"), 2*time.Second).Error(); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("no write succeeded after the failed one: %v", err)
			}
			if got := c.sameEverywhere(t, 5); fmt.Sprint(got) != "[warm x y z w]" {
				t.Fatalf("replicas applied %v, want [warm x y z w]", got)
			}
		})
	}
}
