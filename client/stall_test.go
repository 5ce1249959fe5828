package client

import (
	"testing"
	"time"
)

// stallClockAt is a started stall clock whose beats the test gives.
func stallClockAt(base time.Time) *stallClock {
	s := &stallClock{base: base}
	s.started.Store(true)
	return s
}

// A call that ran across a stall (a beat 3 s late after beats on time) is
// spanned; a call as long that ran beside it, or a short call within it,
// is not.
func TestStallClockSpansCallsAcrossAStall(t *testing.T) {
	base := time.Now()
	s := stallClockAt(base)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	for b := stallBeat; b <= 2*time.Second; b += stallBeat {
		s.beat(at(b))
	}
	s.beat(at(5 * time.Second)) // stopped from 2 s to ~5 s
	for b := 5*time.Second + stallBeat; b <= 10*time.Second; b += stallBeat {
		s.beat(at(b))
	}
	for _, c := range []struct {
		start, d time.Duration
		want     bool
	}{
		{1900 * time.Millisecond, 3200 * time.Millisecond, true},  // in flight across the stop
		{6 * time.Second, 3 * time.Second, false},                 // as long, after it
		{500 * time.Millisecond, 1400 * time.Millisecond, false},  // before it
		{4500 * time.Millisecond, 800 * time.Millisecond, false},  // under a second
		{4600 * time.Millisecond, 1200 * time.Millisecond, false}, // 0.4 s of the stop in it
	} {
		if got := s.spanned(at(c.start), c.d); got != c.want {
			t.Errorf("call from %s for %s: spanned %v, want %v", c.start, c.d, got, c.want)
		}
	}
}

// A call that ends after the process was continued but before the clock
// beat again is spanned: the stall is the time since the last beat.
func TestStallClockSpansAStallNotYetBeaten(t *testing.T) {
	base := time.Now().Add(-10 * time.Second)
	s := stallClockAt(base)
	s.beat(base.Add(stallBeat))
	start := base.Add(stallBeat + time.Millisecond)
	if !s.spanned(start, time.Since(start)) {
		t.Fatal("a call of ~10 s with no beat since its start is not taken as run across a stall")
	}
}

// A starved process whose every beat is late has one stall, the first:
// after it the calls are slow for the console's own reasons, which its
// user waits, and keep their latencies.
func TestStallClockTakesOnlyAOneOffGap(t *testing.T) {
	base := time.Now()
	s := stallClockAt(base)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	s.beat(at(stallBeat))
	for b := 2 * time.Second; b <= 10*time.Second; b += 2 * time.Second {
		s.beat(at(b)) // every beat 1.75 s late
	}
	if !s.spanned(at(200*time.Millisecond), 1900*time.Millisecond) {
		t.Error("the first late beat after one on time is not a stall")
	}
	if s.spanned(at(4*time.Second), 4*time.Second) {
		t.Error("late beats after late beats are taken as stalls: a starved console's slow calls would vanish from the latencies")
	}
}

// A clock that was never started spans nothing.
func TestStallClockUnstartedSpansNothing(t *testing.T) {
	var s stallClock
	if s.spanned(time.Now().Add(-time.Minute), time.Minute) {
		t.Fatal("an unstarted stall clock spanned a call")
	}
}
