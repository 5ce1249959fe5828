package transport

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// TestTrafficNeverWaitsForTheFaultFilter holds the lock that Cut, Heal and
// HealAll take (as a holder the OS descheduled on a CPU-starved machine
// would) and checks that traffic on the healed links still flows: dials,
// accepts, reads, writes, closes and control calls. Every one of them used
// to take that lock; with 12 CPU burners beside an in-process cluster
// under -race, thousands of goroutines queued on it and no group elected
// a leader for minutes.
func TestTrafficNeverWaitsForTheFaultFilter(t *testing.T) {
	f := NewFaults()
	a, b := pairOfMuxes(t, f)
	b.HandleControl(func(_ string, req []byte) []byte { return req })
	chA, chB := a.Channel(7), b.Channel(7)
	go func() {
		for {
			c, err := chB.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()

	f.mu.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			f.mu.Unlock()
		}
	}
	defer unlock()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := chA.Dial(raft.ServerAddress(b.Addr().String()), 10*time.Second)
		if err != nil {
			done <- err
			return
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write([]byte("ping")); err != nil {
			done <- err
			return
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(conn, buf); err != nil {
			done <- err
			return
		}
		_ = conn.Close()
		_, err = a.Call(ctx, b.Addr().String(), []byte("call"))
		done <- err
	}()
	// Generous: on loopback this takes milliseconds; the old filter never
	// let it finish while the lock was held.
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("traffic on a healed link while the fault filter's lock is held: %v", err)
		}
	case <-time.After(30 * time.Second):
		unlock()
		<-done
		t.Fatal("traffic on a healed link waited for the fault filter's lock (held by Cut, Heal or HealAll)")
	}
	unlock()

	// The filter still cuts and heals.
	conn, err := chA.Dial(raft.ServerAddress(b.Addr().String()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	f.Cut("a", "b")
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("read on a cut link succeeded")
	}
	if f.Blocked("b", "a") != true || f.Blocked("a", "c") {
		t.Fatal("Blocked does not follow Cut")
	}
	f.HealAll()
	if f.Blocked("a", "b") {
		t.Fatal("HealAll left a link cut")
	}
}
