package stats

import (
	"testing"
	"time"
)

func TestPercentileFromBuckets(t *testing.T) {
	b := []Bucket{
		{UpperBound: time.Millisecond, Count: 50},
		{UpperBound: 2 * time.Millisecond, Count: 40},
		{UpperBound: 10 * time.Millisecond, Count: 9},
		{UpperBound: 100 * time.Millisecond, Count: 1},
	}
	cases := []struct {
		q    float64
		want time.Duration
	}{{0.5, time.Millisecond}, {0.9, 2 * time.Millisecond}, {0.95, 10 * time.Millisecond}, {0.99, 10 * time.Millisecond}, {1, 100 * time.Millisecond}}
	for _, c := range cases {
		if got := Percentile(b, c.q); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := Percentile([]Bucket{{UpperBound: time.Second}}, 0.5); got != 0 {
		t.Errorf("empty histogram: got %v, want 0", got)
	}
}

func TestRecorderRatesAndIntervalPercentiles(t *testing.T) {
	r := NewRecorder(3)
	t0 := time.Unix(1000, 0)
	bk := func(fast, slow uint64) []Bucket {
		return []Bucket{{time.Millisecond, fast}, {50 * time.Millisecond, slow}}
	}
	r.Observe(Snapshot{At: t0, Ops: map[string]OpCounters{"get": {Count: 100, Buckets: bk(100, 0)}}})
	if p, ok := r.Series("get").Latest(); ok {
		t.Fatalf("baseline produced a point: %+v", p)
	}
	// 20 requests in 2s, all slow: the interval p50 must be slow even though
	// the cumulative histogram is dominated by fast ones.
	r.Observe(Snapshot{At: t0.Add(2 * time.Second), Ops: map[string]OpCounters{"get": {Count: 120, Errors: 4, Buckets: bk(100, 20)}}})
	p, ok := r.Series("get").Latest()
	if !ok {
		t.Fatal("no point after second snapshot")
	}
	if p.OpsPerSec != 10 || p.ErrorsPerSec != 2 || p.Requests != 20 {
		t.Errorf("rates = %+v, want 10 ops/s, 2 err/s, 20 requests", p)
	}
	if p.P50 != 50*time.Millisecond {
		t.Errorf("interval p50 = %v, want 50ms", p.P50)
	}
	// A stale snapshot is ignored; capacity bounds the history.
	r.Observe(Snapshot{At: t0.Add(time.Second), Ops: map[string]OpCounters{"get": {Count: 999}}})
	for i := 3; i < 8; i++ {
		r.Observe(Snapshot{At: t0.Add(time.Duration(i) * time.Second), Ops: map[string]OpCounters{"get": {Count: 120 + uint64(i)}}})
	}
	s := r.Series("get")
	if len(s.Points) != 3 {
		t.Fatalf("len(points) = %d, want capacity 3", len(s.Points))
	}
	if got := s.Rates(); got[2] != 1 {
		t.Errorf("rates = %v, want last 1 op/s", got)
	}
	if got := r.Ops(); len(got) != 1 || got[0] != "get" {
		t.Errorf("Ops() = %v", got)
	}
}

func TestRecorderReportedPercentilesAndCounterReset(t *testing.T) {
	r := NewRecorder(10)
	t0 := time.Unix(0, 0)
	r.Observe(Snapshot{At: t0, Ops: map[string]OpCounters{"put": {Count: 10}}})
	r.Observe(Snapshot{At: t0.Add(time.Second), Ops: map[string]OpCounters{"put": {Count: 3, P50: time.Millisecond, P99: 4 * time.Millisecond}}})
	p, _ := r.Series("put").Latest()
	if p.Requests != 3 || p.P50 != time.Millisecond || p.P99 != 4*time.Millisecond {
		t.Errorf("after counter reset: %+v", p)
	}
	ms := r.Series("put").Millis(func(p Point) time.Duration { return p.P99 })
	if len(ms) != 1 || ms[0] != 4 {
		t.Errorf("Millis = %v, want [4]", ms)
	}
}

// RecentRate averages over the time the last samples span, so a gap in the
// series (the console paused, a sample lost under load) neither inflates
// nor zeroes the rate.
func TestRecentRateOverAGap(t *testing.T) {
	r := NewRecorder(60)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	obs := func(sec int, calls uint64) {
		r.Observe(Snapshot{At: at.Add(time.Duration(sec) * time.Second), Ops: map[string]OpCounters{"get": {Count: calls}}})
	}
	if _, ok := r.Series("get").RecentRate(10 * time.Second); ok {
		t.Fatal("a rate before any sample")
	}
	obs(0, 0)
	obs(1, 10)
	if got, ok := r.Series("get").RecentRate(10 * time.Second); !ok || got != 10 {
		t.Fatalf("after one second: %v %v", got, ok)
	}
	obs(31, 40) // 30 calls over a 30 s gap
	if got, _ := r.Series("get").RecentRate(10 * time.Second); got != 1 {
		t.Fatalf("over the gap: %v, want 1 (30 calls in 30 s)", got)
	}
	obs(32, 50)
	if got, _ := r.Series("get").RecentRate(10 * time.Second); got != 40.0/31 {
		t.Fatalf("gap and a busy second: %v, want %v", got, 40.0/31)
	}
	if got, _ := r.Series("get").RecentRate(time.Second); got != 10 {
		t.Fatalf("last interval only: %v, want 10", got)
	}
}

// PerSecond lays samples on wall-clock seconds: a 5 s sample fills five
// columns, two 500 ms samples share one, and the figures are kept.
func TestPerSecond(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ser := &Series{Points: []Point{
		{At: at.Add(5 * time.Second), Requests: 5, P99: 9 * time.Millisecond},
		{At: at.Add(10 * time.Second), Requests: 0},
		{At: at.Add(15 * time.Second), Requests: 10, P99: 4 * time.Millisecond},
	}}
	got := ser.PerSecond(60)
	if len(got) != 11 { // the first sample's own second, then 5 + 5
		t.Fatalf("%d columns, want 11: %+v", len(got), got)
	}
	var p99 []time.Duration
	for _, p := range got {
		p99 = append(p99, p.P99)
	}
	for i, want := range []time.Duration{9, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4} {
		if p99[i] != want*time.Millisecond {
			t.Fatalf("p99 per second %v", p99)
		}
	}
	half := &Series{Points: []Point{
		{At: at.Add(500 * time.Millisecond), Requests: 1, P99: time.Millisecond},
		{At: at.Add(1000 * time.Millisecond), Requests: 2, P99: 3 * time.Millisecond},
		{At: at.Add(1500 * time.Millisecond), Requests: 4, P99: 2 * time.Millisecond},
	}}
	got = half.PerSecond(60)
	if len(got) != 2 || got[1].Requests != 6 || got[1].P99 != 3*time.Millisecond || got[0].Requests != 1 {
		t.Fatalf("500 ms samples: %+v", got)
	}
	if got := ser.PerSecond(3); len(got) != 3 || got[2].P99 != 4*time.Millisecond {
		t.Fatalf("last 3 s: %+v", got)
	}
}
