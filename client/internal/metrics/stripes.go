package metrics

import (
	"sync"
	"sync/atomic"
)

// NumStripes is how many stripes a striped counter has. Callers on the same
// processor (Go's P) share a stripe, so at most GOMAXPROCS stripes are busy;
// beyond NumStripes processors stripes are shared again.
const NumStripes = 8

// Stripes hands out stripe indexes with affinity to the processor the caller
// runs on, so counters written by every request stay in one core's cache
// instead of moving between cores on nearly every write.
//
// Go exposes no processor id; sync.Pool keeps a private object per P, so a
// token taken from it and put back at once is, nearly always, the one that
// P created: its index is that P's stripe. A GC empties the pool (the next
// Index makes a new token, the next index round-robin), and a token may be
// stolen by another P: either only makes two Ps share a stripe for a while,
// which costs speed, never counts (every stripe is summed).
type Stripes struct {
	pool sync.Pool // *stripeToken
	next atomic.Uint32
}

type stripeToken struct{ i int }

// Index returns the caller's stripe, in [0, NumStripes).
func (s *Stripes) Index() int {
	t, _ := s.pool.Get().(*stripeToken)
	if t == nil {
		t = &stripeToken{i: int((s.next.Add(1) - 1) % NumStripes)}
	}
	i := t.i
	s.pool.Put(t)
	return i
}
