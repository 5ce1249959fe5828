package metrics

import (
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
)

// NumCodes is the number of gRPC status codes (OK..Unauthenticated).
const NumCodes = 17

// Op holds the counters of one operation kind.
type Op struct {
	Calls     atomic.Uint64
	Errors    atomic.Uint64
	Retries   atomic.Uint64
	Redirects atomic.Uint64
	Latency   Histogram
}

// Done records a finished call: its latency and whether it failed.
func (o *Op) Done(d time.Duration, failed bool) {
	o.Calls.Add(1)
	if failed {
		o.Errors.Add(1)
	}
	o.Latency.Observe(d)
}

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
