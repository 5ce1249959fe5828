package metrics

import (
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
)

// NumCodes is the number of gRPC status codes (OK..Unauthenticated).
const NumCodes = 17

// Op holds the counters of one operation kind. Its calls are counted by its
// latency histogram (Calls), not by a counter of their own: every call
// writes the histogram anyway, and one more shared counter was one more
// cache line for the cores to pass between them on every call.
type Op struct {
	Errors    atomic.Uint64
	Retries   atomic.Uint64
	Redirects atomic.Uint64
	Latency   Histogram
	// Suspended counts the calls whose latency is left out of Latency:
	// they ran across a stall of the process (DoneSuspended).
	Suspended atomic.Uint64
}

// Done records a finished call on stripe 0 (for callers off the hot path).
func (o *Op) Done(d time.Duration, failed bool) { o.DoneOn(0, d, failed) }

// DoneOn records a finished call, its latency and whether it failed, on
// the given stripe (Stripes.Index).
func (o *Op) DoneOn(stripe int, d time.Duration, failed bool) {
	o.Latency.ObserveOn(stripe, d)
	if failed {
		o.Errors.Add(1) // after the call is counted: Errors <= Calls
	}
}

// DoneSuspended records a finished call that ran across a stall of the
// process (it was stopped or did not run): it is counted, and whether it
// failed, but its latency, which measures the stall, is not.
func (o *Op) DoneSuspended(failed bool) {
	o.Suspended.Add(1)
	if failed {
		o.Errors.Add(1) // after the call is counted: Errors <= Calls
	}
}

// Calls returns the number of calls recorded, suspended ones included.
func (o *Op) Calls() uint64 { return o.Latency.Count() + o.Suspended.Load() }

// Codes counts errors by gRPC status code.
type Codes struct {
	counts [NumCodes]atomic.Uint64
}

// Add counts one error with code c.
func (e *Codes) Add(c codes.Code) {
	if int(c) < NumCodes {
		e.counts[c].Add(1)
	}
}

// Get returns the count for code c.
func (e *Codes) Get(c codes.Code) uint64 {
	if int(c) < NumCodes {
		return e.counts[c].Load()
	}
	return 0
}
