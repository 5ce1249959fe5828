// Package stats turns the client's cumulative instrumentation snapshots into
// what the stats pane shows: per-operation rates, latency percentiles over each
// sampling interval, and fixed-length series for sparklines.
package stats

import (
	"sort"
	"time"
)

// Bucket is one latency histogram bucket: Count requests took at most
// UpperBound (and more than the previous bucket's bound). Counts are totals
// since the client started.
type Bucket struct {
	UpperBound time.Duration
	Count      uint64
}

// OpCounters are the cumulative counters of one operation at one instant.
type OpCounters struct {
	Count        uint64
	Errors       uint64
	Retries      uint64
	Redirects    uint64
	ErrorsByCode map[string]uint64
	// Buckets, when present, let the recorder compute percentiles over each
	// interval. Without them it uses P50/P95/P99 as reported.
	Buckets       []Bucket
	P50, P95, P99 time.Duration
}

// Snapshot is one reading of every operation's counters.
type Snapshot struct {
	At  time.Time
	Ops map[string]OpCounters
}

// Point is one sample of an operation's series.
type Point struct {
	At time.Time
	// From is when the point's interval starts (the previous snapshot);
	// zero means the previous point's At.
	From         time.Time
	OpsPerSec    float64
	ErrorsPerSec float64
	P50, P95     time.Duration
	P99          time.Duration
	// Requests is how many requests completed in the interval.
	Requests uint64
}

// Series is the last Capacity points of one operation, oldest first.
type Series struct {
	Op     string
	Points []Point
	// Last holds the most recent cumulative counters.
	Last OpCounters
}

// Recorder keeps a bounded history per operation. It is not safe for
// concurrent use: the console feeds it from its update loop only.
type Recorder struct {
	capacity int
	prev     *Snapshot
	series   map[string]*Series
}

// NewRecorder keeps up to capacity points per operation (at least 2).
func NewRecorder(capacity int) *Recorder {
	if capacity < 2 {
		capacity = 2
	}
	return &Recorder{capacity: capacity, series: map[string]*Series{}}
}

// Observe adds a snapshot. The first one only sets the baseline; snapshots
// not newer than the previous one are ignored.
func (r *Recorder) Observe(s Snapshot) {
	if r.prev != nil && !s.At.After(r.prev.At) {
		return
	}
	for op, cur := range s.Ops {
		ser := r.seriesOf(op)
		ser.Last = cur
		if r.prev == nil {
			continue
		}
		before := r.prev.Ops[op]
		ser.Points = append(ser.Points, interval(before, cur, r.prev.At, s.At))
		if over := len(ser.Points) - r.capacity; over > 0 {
			ser.Points = append(ser.Points[:0], ser.Points[over:]...)
		}
	}
	snap := s
	r.prev = &snap
}

// seriesOf returns op's series, made on first use.
func (r *Recorder) seriesOf(op string) *Series {
	ser := r.series[op]
	if ser == nil {
		ser = &Series{Op: op}
		r.series[op] = ser
	}
	return ser
}

// Rebase takes s as the baseline without a point for the interval since
// the previous snapshot: the process taking them did not run for most of
// it (suspended: SIGSTOP, Ctrl-Z, a machine asleep), so its counts and
// latencies measure no second of it. Graphs leave the gap blank and rates
// do not average over it.
func (r *Recorder) Rebase(s Snapshot) {
	if r.prev != nil && !s.At.After(r.prev.At) {
		return
	}
	for op, cur := range s.Ops {
		r.seriesOf(op).Last = cur
	}
	snap := s
	r.prev = &snap
}

// interval computes one point between two cumulative readings. Counters that
// went backwards (a client restart) count as starting from zero.
func interval(before, cur OpCounters, from, to time.Time) Point {
	secs := to.Sub(from).Seconds()
	n := delta(cur.Count, before.Count)
	p := Point{At: to, From: from, Requests: n}
	if secs > 0 {
		p.OpsPerSec = float64(n) / secs
		p.ErrorsPerSec = float64(delta(cur.Errors, before.Errors)) / secs
	}
	if len(cur.Buckets) > 0 {
		b := deltaBuckets(before.Buckets, cur.Buckets)
		p.P50, p.P95, p.P99 = Percentile(b, 0.50), Percentile(b, 0.95), Percentile(b, 0.99)
		return p
	}
	if n > 0 {
		p.P50, p.P95, p.P99 = cur.P50, cur.P95, cur.P99
	}
	return p
}

func delta(cur, before uint64) uint64 {
	if cur < before {
		return cur
	}
	return cur - before
}

func deltaBuckets(before, cur []Bucket) []Bucket {
	out := make([]Bucket, len(cur))
	prev := map[time.Duration]uint64{}
	for _, b := range before {
		prev[b.UpperBound] = b.Count
	}
	for i, b := range cur {
		out[i] = Bucket{UpperBound: b.UpperBound, Count: delta(b.Count, prev[b.UpperBound])}
	}
	return out
}

// Percentile returns the upper bound of the bucket holding quantile q (0..1)
// of buckets b (sorted by bound); 0 when b holds no requests.
func Percentile(b []Bucket, q float64) time.Duration {
	var total uint64
	for _, x := range b {
		total += x.Count
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for _, x := range b {
		seen += x.Count
		if seen >= rank {
			return x.UpperBound
		}
	}
	return b[len(b)-1].UpperBound
}

// Ops lists the operations seen so far, sorted by name.
func (r *Recorder) Ops() []string {
	out := make([]string, 0, len(r.series))
	for op := range r.series {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// Series returns the history of op, nil when never seen. The caller must not
// modify it.
func (r *Recorder) Series(op string) *Series { return r.series[op] }

// Latest returns the most recent point of op and whether there is one.
func (s *Series) Latest() (Point, bool) {
	if s == nil || len(s.Points) == 0 {
		return Point{}, false
	}
	return s.Points[len(s.Points)-1], true
}

// Millis returns one latency percentile of the series in milliseconds, oldest
// first, for a sparkline; pick selects P50, P95 or P99 from a point.
func (s *Series) Millis(pick func(Point) time.Duration) []float64 {
	if s == nil {
		return nil
	}
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = float64(pick(p)) / float64(time.Millisecond)
	}
	return out
}

// RecentRate returns the ops/s over the last window of time (at least the
// newest sample): the requests the newest samples counted over the time
// they span. One sample alone makes a periodic operation (a poll every 2 s)
// flicker between 0 and twice its rate.
func (s *Series) RecentRate(window time.Duration) (float64, bool) {
	if s == nil || len(s.Points) == 0 {
		return 0, false
	}
	n := len(s.Points)
	if n == 1 {
		return s.Points[0].OpsPerSec, true
	}
	last := s.Points[n-1].At
	k := 1 // samples taken; points[n-1-k] is where their span starts
	for k < n-1 && last.Sub(s.Points[n-1-k].At) < window {
		k++
	}
	var reqs uint64
	var span time.Duration // measured: a gap between points (Rebase) is not
	for i := n - k; i < n; i++ {
		reqs += s.Points[i].Requests
		span += s.Points[i].At.Sub(s.from(i))
	}
	if span <= 0 {
		return s.Points[n-1].OpsPerSec, true
	}
	return float64(reqs) / span.Seconds(), true
}

// from returns where point i's interval starts: its From, else the
// previous point's time (i > 0).
func (s *Series) from(i int) time.Time {
	if f := s.Points[i].From; !f.IsZero() || i == 0 {
		return f
	}
	return s.Points[i-1].At
}

// PerSecond returns the series as one point per wall-clock second, the last
// n seconds up to the newest sample, oldest first: what a graph of "one
// column per second" must draw whatever the sampling rate. A sample that
// spans several seconds (a 5 s refresh, the console stalled) fills each of
// them with its figures; samples within one second (a 500 ms refresh) are
// merged (requests added, the worst latencies kept). A second no sample
// covers (one the console did not run in, see Rebase) has no requests.
func (s *Series) PerSecond(n int) []Point {
	if s == nil || len(s.Points) == 0 || n <= 0 {
		return nil
	}
	end := s.Points[len(s.Points)-1].At
	col := func(t time.Time) int { return int(end.Sub(t) / time.Second) } // 0 is the newest second
	out := make([]Point, n)
	used := 0
	for i, p := range s.Points {
		from := col(p.At)
		to := from // the oldest column the sample covers
		if i > 0 {
			if f := s.from(i); p.At.Sub(f) > 3*time.Second/2 {
				to = col(f.Add(time.Millisecond))
			}
		}
		for c := from; c <= to && c < n; c++ {
			k := n - 1 - c
			out[k] = merge(out[k], p)
			used = max(used, c+1)
		}
	}
	return out[n-used:]
}

// merge adds sample p to the second holding q.
func merge(q, p Point) Point {
	if q.Requests == 0 && q.At.IsZero() {
		return p
	}
	q.Requests += p.Requests
	q.OpsPerSec += p.OpsPerSec
	q.ErrorsPerSec += p.ErrorsPerSec
	q.P50, q.P95, q.P99 = max(q.P50, p.P50), max(q.P95, p.P95), max(q.P99, p.P99)
	if p.At.After(q.At) {
		q.At = p.At
	}
	return q
}

// Rates returns the ops/s series, oldest first.
func (s *Series) Rates() []float64 {
	if s == nil {
		return nil
	}
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = p.OpsPerSec
	}
	return out
}
