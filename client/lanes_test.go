package client

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// Attempts sent from one processor share one slot lane, so the slot's
// mutex and children map (written by gRPC's per-call context, twice a
// call) stay in that core's cache. Lanes picked by the send time's low
// bits (before) spread one processor's attempts over every lane, and the
// two cores then wrote every lane's cache lines in turn.
func TestAttemptsOfOneProcessorShareOneLane(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops objects at random")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a GC empties the stripe pool
	c := unitClient(t, time.Minute)
	for range 200 {
		_, b := c.attemptContext(context.Background(), c.cfg.Timeout, time.Now())
		if b.slot == nil {
			t.Fatal("a Background caller's attempt did not get a shared slot")
		}
		b.stop()
	}
	used := 0
	for i := range c.slots.lanes {
		if c.slots.lanes[i].Load() != nil {
			used++
		}
	}
	if used != 1 {
		t.Fatalf("200 attempts from one processor opened slots in %d lanes, want 1", used)
	}
}

// The counters a call writes go to its processor's stripe, and Stats
// still reads one count per operation and node.
func TestCallCountersAreStripedAndSummed(t *testing.T) {
	c := unitClient(t, time.Minute)
	for s := range 3 {
		c.m.ops[opGet].DoneOn(s, time.Millisecond, s == 1)
		c.m.nodes.attempt(s, opGet, "127.0.0.1:9", time.Millisecond, false)
	}
	st := c.Stats()
	if g := st.Ops["get"]; g.Calls != 3 || g.Errors != 1 || g.Latency.Count() != 3 {
		t.Fatalf("get calls %d errors %d latency count %d, want 3, 1, 3", g.Calls, g.Errors, g.Latency.Count())
	}
	if n := st.NodeOps["get"]["127.0.0.1:9"]; n.Calls != 3 {
		t.Fatalf("node attempts %d, want 3", n.Calls)
	}
}
