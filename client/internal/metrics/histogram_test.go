package metrics

import (
	"testing"
	"time"
)

func TestBucketsCoverDurations(t *testing.T) {
	for _, d := range []time.Duration{0, time.Microsecond, 3 * time.Microsecond, 100 * time.Microsecond, time.Millisecond, 37 * time.Millisecond, time.Second, time.Hour} {
		i := bucketOf(d)
		lo, hi := BucketBounds(i)
		if i == NumBuckets-1 {
			if d < lo {
				t.Errorf("%v in overflow bucket with lower %v", d, lo)
			}
			continue
		}
		if d < lo || d >= hi {
			t.Errorf("%v in bucket %d = [%v, %v)", d, i, lo, hi)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 1000; i++ {
		h.Observe(time.Duration(i) * time.Microsecond * 10) // 10µs .. 10ms uniform
	}
	s := h.Snapshot()
	if s.Count != 1000 {
		t.Fatalf("count %d", s.Count)
	}
	check := func(q float64, want time.Duration) {
		got := s.Quantile(q)
		if got < want*3/4 || got > want*5/4 {
			t.Errorf("q%.2f = %v, want about %v (within 25%%)", q, got, want)
		}
	}
	check(0.5, 5*time.Millisecond)
	check(0.95, 9500*time.Microsecond)
	check(0.99, 9900*time.Microsecond)
	if s.Max != 10*time.Millisecond {
		t.Errorf("max %v", s.Max)
	}
	var empty Snapshot
	if empty.Quantile(0.5) != 0 {
		t.Error("empty quantile not 0")
	}
}

func TestObserveDoesNotAllocate(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(100, func() { h.Observe(123 * time.Microsecond) }); n != 0 {
		t.Fatalf("Observe allocates %v", n)
	}
}
