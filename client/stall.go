package client

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/norikv/norikv-console/client/internal/metrics"
)

// A process that is stopped (SIGSTOP, Ctrl-Z, a paused VM) while a call is
// in flight finds, once continued, the call's answer waiting in its socket:
// the call ends with the stop as its latency, a spike of seconds in the
// histogram (and in the console's p99 sparkline) that the cluster did not
// cause. The call cannot tell by itself: the monotonic clock goes on while
// the process is stopped. So a goroutine beats every stallBeat, and a beat
// stallAfter later than due means nothing in the process ran meanwhile; a
// call that ran across such a stall is counted without its latency
// (OpStats.Suspended). A machine asleep needs none of this: the monotonic
// clock that latencies are read from stops with it (Linux, macOS).

const (
	// stallBeat is how often the stall clock beats.
	stallBeat = 250 * time.Millisecond
	// stallAfter is how much later than due a beat must come to be a
	// stall; a call must also have run across that much of it.
	stallAfter = time.Second
	// stallsKept is how many recent stalls are remembered for the calls
	// still in flight across them.
	stallsKept = 8
)

// stallClock notices the process not running. Its zero value is ready;
// Client.startStallClock makes it beat.
type stallClock struct {
	once    sync.Once
	base    time.Time    // set before started; offsets are from it
	started atomic.Bool  // base is set and beats run
	last    atomic.Int64 // offset of the last beat
	mu      sync.Mutex
	gaps    [stallsKept]stallGap // ring of the last stalls
	next    int                  // where the next stall goes in gaps
	lateWas bool                 // the previous beat was late (beats only)
}

// stallGap is a span, as offsets from base, in which the process did not run.
type stallGap struct{ from, to time.Duration }

// startStallClock makes c's stall clock beat until c is closed.
func (c *Client) startStallClock() {
	c.stalls.once.Do(func() {
		c.stalls.base = time.Now()
		c.stalls.started.Store(true)
		c.goBackground(func() {
			t := time.NewTicker(stallBeat)
			defer t.Stop()
			for {
				select {
				case <-c.ctx.Done():
					return
				case now := <-t.C:
					c.stalls.beat(now)
				}
			}
		})
	})
}

// beat notes a beat at now (a ticker's reading). A late beat after one on
// time is a stall: the process did not run. A late beat after a late one
// is not: a machine so starved that every beat is late still runs the
// calls, and their latencies, the console's own slowness included, are
// what its user waits; only a one-off gap is taken out.
func (s *stallClock) beat(now time.Time) {
	at := now.Sub(s.base)
	prev := time.Duration(s.last.Swap(int64(at)))
	late := at-prev > stallBeat+stallAfter
	s.mu.Lock()
	defer s.mu.Unlock()
	if late && !s.lateWas {
		s.gaps[s.next%stallsKept] = stallGap{from: prev, to: at}
		s.next++
	}
	s.lateWas = late
}

// spanned reports whether a call that started at start and took d ran
// across at least stallAfter of a stall, counting one the clock has not
// beaten since (the process was just continued and the call ended first).
// Small enough to inline: a call under a second costs one comparison.
func (s *stallClock) spanned(start time.Time, d time.Duration) bool {
	return d >= stallAfter && s.spannedLong(start, d)
}

// spannedLong is spanned for a call of stallAfter or longer.
func (s *stallClock) spannedLong(start time.Time, d time.Duration) bool {
	if !s.started.Load() {
		return false
	}
	from := start.Sub(s.base)
	to := from + d
	if last := time.Duration(s.last.Load()); to-last > stallBeat+stallAfter &&
		overlap(from, to, stallGap{from: last, to: to}) >= stallAfter {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.gaps {
		if overlap(from, to, g) >= stallAfter {
			return true
		}
	}
	return false
}

// overlap is how much of g lies within from..to.
func overlap(from, to time.Duration, g stallGap) time.Duration {
	return max(0, min(to, g.to)-max(from, g.from))
}

// record counts a finished call (or attempt) of o that started at start
// and took d: without its latency when it ran across a stall.
func (c *Client) record(o *metrics.Op, stripe int, start time.Time, d time.Duration, failed bool) {
	if c.stalls.spanned(start, d) {
		o.DoneSuspended(failed)
		return
	}
	o.DoneOn(stripe, d, failed)
}

// RanAcrossStall reports whether something that started at start and took
// took (a call, or a caller's own span around one) ran across a stall of
// this process: it was stopped (SIGSTOP, Ctrl-Z, a paused VM) or did not
// run for over a second meanwhile, so took measures the stall, not the
// cluster. The client's own latencies leave such calls out
// (OpStats.Suspended); a caller that times calls itself for a latency
// graph or percentile leaves them out by asking here. False before
// Connect and for spans under a second.
func (c *Client) RanAcrossStall(start time.Time, took time.Duration) bool {
	return c.stalls.spanned(start, took)
}
