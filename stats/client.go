package stats

import (
	"time"

	"github.com/norikv/norikv-console/client"
)

// FromClient converts the client's counters into a Snapshot taken at at.
func FromClient(at time.Time, s client.Stats) Snapshot {
	snap := Snapshot{At: at, Ops: make(map[string]OpCounters, len(s.Ops))}
	for op, o := range s.Ops {
		c := OpCounters{
			Count: o.Calls, Errors: o.Errors, Retries: o.Retries, Redirects: o.Redirects,
			P50: o.Latency.P50(), P95: o.Latency.P95(), P99: o.Latency.P99(),
		}
		for _, b := range o.Latency.Buckets() {
			c.Buckets = append(c.Buckets, Bucket{UpperBound: b.Upper, Count: b.Count})
		}
		snap.Ops[op] = c
	}
	return snap
}
