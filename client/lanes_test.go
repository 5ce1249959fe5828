package client

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client/internal/metrics"
)

// Attempts sent from one processor stay in that processor's lanes, so a
// slot's mutex and children map (written by gRPC's per-call context, twice
// a call) stay in that core's cache, and spread over its lanesPerStripe
// lanes by send time. Lanes picked by the send time's low bits alone (two
// sessions ago) spread one processor's attempts over every lane, and the
// two cores then wrote every lane's cache lines in turn; one lane a
// processor (before) had 64 waiting Puts, which often end on the other
// processor, queue on two mutexes (3-5x the contentions of 8 lanes,
// BenchmarkKVSideProfile with NORIKV_KVPROFILE_OP=put).
func TestAttemptsOfOneProcessorStayInItsLanes(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops objects at random")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a GC empties the stripe pool
	c := unitClient(t, time.Minute)
	stripe := c.m.stripes.Index()
	start := time.Now()
	for i := range 200 {
		// Send times 16 ns apart: the lane's time bits take every value.
		_, b := c.attemptContext(context.Background(), c.cfg.Timeout, start.Add(time.Duration(i)*16))
		if b.slot == nil {
			t.Fatal("a Background caller's attempt did not get a shared slot")
		}
		b.stop()
	}
	var used []int
	for i := range c.slots.lanes {
		if c.slots.lanes[i].Load() != nil {
			used = append(used, i)
		}
	}
	if len(used) < 2 || len(used) > lanesPerStripe {
		t.Fatalf("200 attempts from one processor opened slots in lanes %v, want 2 to %d lanes", used, lanesPerStripe)
	}
	for _, l := range used {
		if l/lanesPerStripe != stripe%metrics.NumStripes {
			t.Fatalf("attempts of stripe %d opened slots in lanes %v, outside its own", stripe, used)
		}
	}
}

// Each stripe has lanesPerStripe lanes of its own: no two processors'
// attempts share a slot while they have stripes of their own.
func TestStripesHaveDisjointLanes(t *testing.T) {
	owner := map[int]int{}
	start := time.Now()
	for s := range 2 * metrics.NumStripes {
		lanes := map[int]bool{}
		for i := range 64 {
			l := laneOf(s, start.Add(time.Duration(i)*16))
			if l < 0 || l >= slotLanes {
				t.Fatalf("stripe %d: lane %d out of [0, %d)", s, l, slotLanes)
			}
			if o, ok := owner[l]; ok && o != s%metrics.NumStripes {
				t.Fatalf("lane %d is used by stripes %d and %d", l, o, s)
			}
			owner[l] = s % metrics.NumStripes
			lanes[l] = true
		}
		if len(lanes) != lanesPerStripe {
			t.Fatalf("stripe %d uses %d lanes, want %d", s, len(lanes), lanesPerStripe)
		}
	}
}

// The counters a call writes go to its processor's stripe, and Stats
// still reads one count per operation and node.
func TestCallCountersAreStripedAndSummed(t *testing.T) {
	c := unitClient(t, time.Minute)
	for s := range 3 {
		c.m.ops[opGet].DoneOn(s, time.Millisecond, s == 1)
		c.m.nodes.attempt(s, opGet, "127.0.0.1:9", time.Millisecond, false, false)
	}
	st := c.Stats()
	if g := st.Ops["get"]; g.Calls != 3 || g.Errors != 1 || g.Latency.Count() != 3 {
		t.Fatalf("get calls %d errors %d latency count %d, want 3, 1, 3", g.Calls, g.Errors, g.Latency.Count())
	}
	if n := st.NodeOps["get"]["127.0.0.1:9"]; n.Calls != 3 {
		t.Fatalf("node attempts %d, want 3", n.Calls)
	}
}

// BenchmarkSlotLanesInFlight registers gRPC's per-call context with the
// attempt slots as 64 callers do whose calls stay in flight (a Put waits
// on replication): each caller keeps 4 calls open and ends the oldest
// after a yield, so a call often ends on another processor than the one
// it was sent from. Compare its ns/op and the mutex profile's delay
// (-mutexprofile) between lane layouts.
func BenchmarkSlotLanesInFlight(b *testing.B) {
	c := unitClient(b, time.Minute)
	b.SetParallelism(32) // 64 callers on two processors
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var open [4]context.CancelFunc
		var bounds [4]attemptBound
		i := 0
		for pb.Next() {
			j := i % len(open)
			if open[j] != nil {
				open[j]()
				bounds[j].stop()
			}
			actx, bd := c.attemptContext(context.Background(), c.cfg.Timeout, time.Now())
			_, cancel := context.WithCancel(actx) // what gRPC does per call
			open[j], bounds[j] = cancel, bd
			runtime.Gosched()
			i++
		}
		for j := range open {
			if open[j] != nil {
				open[j]()
				bounds[j].stop()
			}
		}
	})
}
