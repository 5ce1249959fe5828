package client

import (
	"sync"
	"time"

	"github.com/norikv/norikv-console/client/internal/metrics"
)

// nodeMetrics are per-node, per-operation attempt counters: one attempt is
// one request sent to one node, so a slow node shows in its own latency
// instead of hiding in the call's (which includes retries elsewhere).
type nodeMetrics struct {
	byAddr sync.Map // node address -> *[numOps]metrics.Op
}

// attempt records one attempt of op on the node at addr; a suspended one
// (it ran across a stall of the process, stall.go) without its latency.
func (nm *nodeMetrics) attempt(stripe int, op opKind, addr string, d time.Duration, failed, suspended bool) {
	v, ok := nm.byAddr.Load(addr)
	if !ok {
		v, _ = nm.byAddr.LoadOrStore(addr, new([numOps]metrics.Op))
	}
	o := &v.(*[numOps]metrics.Op)[op]
	if suspended {
		o.DoneSuspended(failed)
		return
	}
	o.DoneOn(stripe, d, failed)
}

// snapshot returns op name -> node address -> the attempts' counters, for
// the operations with at least one attempt.
func (nm *nodeMetrics) snapshot() map[string]map[string]OpStats {
	out := map[string]map[string]OpStats{}
	nm.byAddr.Range(func(k, v any) bool {
		ops := v.(*[numOps]metrics.Op)
		for i := range ops {
			o := &ops[i]
			errs := o.Errors.Load() // before the calls: errors <= calls
			lat := o.Latency.Snapshot()
			suspended := o.Suspended.Load()
			calls := lat.Count + suspended
			if calls == 0 {
				continue
			}
			name := opNames[i]
			if out[name] == nil {
				out[name] = map[string]OpStats{}
			}
			out[name][k.(string)] = OpStats{Calls: calls, Errors: errs, Suspended: suspended, Latency: LatencyHistogram{snap: lat}}
		}
		return true
	})
	return out
}
