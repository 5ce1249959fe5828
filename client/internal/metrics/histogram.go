// Package metrics holds the client's request instrumentation: lock-free
// counters and a fixed-bucket log-linear latency histogram, cheap enough to
// leave on for every request (a few atomic adds, no allocation).
package metrics

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// unitShift converts nanoseconds to histogram units of 1024ns (~1µs).
const unitShift = 10

// maxExp caps the histogram at 2^maxExp units (~1.1e12 ns, about 18 minutes);
// slower samples land in the last bucket.
const maxExp = 40

// NumBuckets is the number of histogram buckets.
const NumBuckets = (maxExp + 1) * 4

// Histogram counts durations in log-linear buckets: four sub-buckets per power
// of two, so any percentile is accurate to within ~25%.
//
// It is striped (see Stripes): every request of a client observes one, and
// with one set of counters the cache lines of the busy buckets and of the
// sum moved between the cores on almost every call (64 callers on two
// cores). Each stripe is allocated on its first observation, so an unused
// histogram costs only its stripe pointers.
type Histogram struct {
	stripes [NumStripes]atomic.Pointer[histStripe]
}

// histStripe is one stripe's counters (1344 bytes: its own cache lines).
type histStripe struct {
	counts [NumBuckets]atomic.Uint64
	sumNs  atomic.Uint64
	maxNs  atomic.Uint64
}

func bucketOf(d time.Duration) int {
	if d < 0 {
		d = 0
	}
	v := uint64(d) >> unitShift
	e := bits.Len64(v)
	if e < 3 {
		return int(v)
	}
	if e > maxExp {
		return NumBuckets - 1
	}
	sub := (v >> (e - 3)) & 3
	return e*4 + int(sub)
}

// BucketBounds returns the [lower, upper) duration range of bucket i.
func BucketBounds(i int) (lower, upper time.Duration) {
	if i < 4 {
		return time.Duration(uint64(i) << unitShift), time.Duration(uint64(i+1) << unitShift)
	}
	e, sub := i/4, uint64(i%4)
	lo := (4 + sub) << (e - 3)
	hi := (5 + sub) << (e - 3)
	return time.Duration(lo << unitShift), time.Duration(hi << unitShift)
}

// Observe records one duration on stripe 0 (for callers off the hot path).
func (h *Histogram) Observe(d time.Duration) { h.ObserveOn(0, d) }

// ObserveOn records one duration on the given stripe (Stripes.Index; taken
// modulo NumStripes).
func (h *Histogram) ObserveOn(stripe int, d time.Duration) {
	p := &h.stripes[uint(stripe)%NumStripes]
	s := p.Load()
	if s == nil {
		p.CompareAndSwap(nil, new(histStripe))
		s = p.Load()
	}
	s.counts[bucketOf(d)].Add(1) // the count is their sum (Snapshot)
	if d > 0 {
		s.sumNs.Add(uint64(d))
		for {
			cur := s.maxNs.Load()
			if uint64(d) <= cur || s.maxNs.CompareAndSwap(cur, uint64(d)) {
				break
			}
		}
	}
}

// Count returns the number of durations observed (the stripes' buckets
// summed).
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.stripes {
		if s := h.stripes[i].Load(); s != nil {
			for j := range s.counts {
				n += s.counts[j].Load()
			}
		}
	}
	return n
}

// Snapshot is a point-in-time copy of a Histogram.
type Snapshot struct {
	Counts [NumBuckets]uint64
	Count  uint64
	Sum    time.Duration
	Max    time.Duration
}

// Snapshot copies the histogram, its stripes summed. Concurrent
// observations may be partially included; Count is recomputed from the
// buckets so quantiles stay consistent.
func (h *Histogram) Snapshot() Snapshot {
	var s Snapshot
	for i := range h.stripes {
		st := h.stripes[i].Load()
		if st == nil {
			continue
		}
		for j := range st.counts {
			c := st.counts[j].Load()
			s.Counts[j] += c
			s.Count += c
		}
		s.Sum += time.Duration(st.sumNs.Load())
		s.Max = max(s.Max, time.Duration(st.maxNs.Load()))
	}
	return s
}

// Quantile returns the q-quantile (0..1) by linear interpolation inside the
// bucket that holds it; 0 when the histogram is empty.
func (s *Snapshot) Quantile(q float64) time.Duration {
	if s.Count == 0 {
		return 0
	}
	if q < 0 {
		q = 0
	}
	if q > 1 {
		q = 1
	}
	rank := q * float64(s.Count)
	var cum float64
	for i, c := range s.Counts {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			lo, hi := BucketBounds(i)
			frac := (rank - cum) / float64(c)
			d := lo + time.Duration(frac*float64(hi-lo))
			if s.Max > 0 && d > s.Max {
				d = s.Max
			}
			return d
		}
		cum += float64(c)
	}
	return s.Max
}
