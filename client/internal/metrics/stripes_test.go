package metrics

import (
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// A striped histogram reads as one: counts, sum and max over all stripes,
// with stripe numbers past NumStripes wrapping around.
func TestHistogramStripesAddUp(t *testing.T) {
	var h Histogram
	var want time.Duration
	for s := range 2 * NumStripes {
		d := time.Duration(s+1) * time.Millisecond
		h.ObserveOn(s, d)
		want += d
	}
	snap := h.Snapshot()
	if snap.Count != 2*NumStripes || h.Count() != 2*NumStripes {
		t.Fatalf("count %d / %d, want %d", snap.Count, h.Count(), 2*NumStripes)
	}
	if snap.Sum != want || snap.Max != 2*NumStripes*time.Millisecond {
		t.Fatalf("sum %v max %v, want %v and %v", snap.Sum, snap.Max, want, 2*NumStripes*time.Millisecond)
	}
	var o Op
	o.DoneOn(3, time.Millisecond, true)
	o.Done(time.Millisecond, false)
	if o.Calls() != 2 || o.Errors.Load() != 1 {
		t.Fatalf("calls %d errors %d, want 2 and 1", o.Calls(), o.Errors.Load())
	}
}

// Concurrent observers on every stripe lose no count.
func TestHistogramStripesConcurrent(t *testing.T) {
	var h Histogram
	var s Stripes
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				h.ObserveOn(s.Index(), 30*time.Microsecond)
			}
		}()
	}
	wg.Wait()
	if n := h.Count(); n != 8000 {
		t.Fatalf("count %d, want 8000", n)
	}
}

// Callers on one processor get one stripe: the point of striping is that
// a core keeps writing the same cache lines.
func TestStripesFollowTheProcessor(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops objects at random")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a GC empties the pool
	var s Stripes
	first := s.Index()
	for i := range 1000 {
		if got := s.Index(); got != first {
			t.Fatalf("call %d on one processor got stripe %d, the first got %d", i, got, first)
		}
	}
	if first < 0 || first >= NumStripes {
		t.Fatalf("stripe %d out of range", first)
	}
}

func TestObserveOnDoesNotAllocate(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.ObserveOn(5, 123*time.Microsecond) }); n != 0 {
		t.Fatalf("ObserveOn allocates %v once its stripe exists", n)
	}
}
