//go:build unix

package client_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// envStalledCallsChild makes TestStalledCallsChild run: the client process
// TestCallsAcrossASuspensionAreNotLatency stops and continues. Its value
// is the cluster's addresses, comma separated.
const envStalledCallsChild = "NORIKV_TEST_STALLED_CALLS_CHILD"

// TestCallsAcrossASuspensionAreNotLatency: the process holding a client
// that is busy with gets is stopped for 3 s (SIGSTOP, as Ctrl-Z or a
// paused VM would) and continued. The gets in flight meanwhile were
// recorded with the stop as their latency, so the client's histogram (and
// the Stats pane's p99 sparkline, read from it) showed a one-sample spike
// of 3 s that was not the cluster's. Now a call that ran across a stall of
// the process is counted (Calls, Suspended) but its latency is left out,
// for the operation and for its node; and a caller that times its calls
// itself (the vectors pane's round-trip sparkline) asks
// Client.RanAcrossStall which timings to leave out.
func TestCallsAcrossASuspensionAreNotLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("client in a child process, suspended 3 s: skipped with -short")
	}
	const stop = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd, lines := startClientChild(t, ctx, "TestStalledCallsChild", envStalledCallsChild)
	// last reads the child's lines for d and returns the last report.
	last := func(d time.Duration) stalledReport {
		var r stalledReport
		end := time.After(d)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the client process ended (last report %+v)", r)
				}
				if _, err := fmt.Sscanf(l, "calls %d suspended %d max %d nodemax %d ownmax %d ownstalled %d",
					&r.calls, &r.suspended, &r.max, &r.nodeMax, &r.ownMax, &r.ownStalled); err == nil {
					r.ok = true
				}
			case <-end:
				return r
			case <-ctx.Done():
				t.Fatalf("the client process did not report within 40 s")
			}
		}
	}
	before := last(2 * time.Second)
	if !before.ok || before.calls == 0 {
		t.Fatalf("the client process made no gets before the stop: %+v", before)
	}
	if before.max >= stop {
		t.Skipf("a get took %s before the stop: the machine is too loaded to tell the stop from the cluster", before.max)
	}

	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stop)
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	after := last(2 * time.Second)
	t.Logf("before the stop %+v; after %+v", before, after)
	if after.calls <= before.calls {
		t.Fatalf("the client process made no gets after SIGCONT: %+v", after)
	}
	if after.max >= stop || after.nodeMax >= stop {
		t.Fatalf("a get that ran across the %s stop was recorded as %s of latency (by node %s): the stop is not the cluster's",
			stop, after.max, after.nodeMax)
	}
	if after.suspended == 0 {
		t.Fatalf("no get counted as run across the stop (4 callers busy): %+v", after)
	}
	// The callers' own timings around the gets (as the vectors pane times
	// its searches) leave out what Client.RanAcrossStall says ran across it.
	if after.ownMax >= stop || after.ownStalled == 0 {
		t.Fatalf("the callers' own timings: max %s kept, %d left out as run across the %s stop (RanAcrossStall)",
			after.ownMax, after.ownStalled, stop)
	}
}

type stalledReport struct {
	ok               bool
	calls, suspended uint64
	max, nodeMax     time.Duration
	// ownMax is the longest get as its caller timed it, left out those
	// Client.RanAcrossStall spans; ownStalled counts those.
	ownMax     time.Duration
	ownStalled uint64
}

// TestStalledCallsChild is the client process of
// TestCallsAcrossASuspensionAreNotLatency (skipped otherwise): it connects,
// runs gets from 4 goroutines without pause, each timed by its caller too,
// and every 50 ms prints its get counters: "calls N suspended N max NS
// nodemax NS ownmax NS ownstalled N".
func TestStalledCallsChild(t *testing.T) {
	addrs := os.Getenv(envStalledCallsChild)
	if addrs == "" {
		t.Skip("the child process of TestCallsAcrossASuspensionAreNotLatency")
	}
	c := connectedClient(t, client.Config{Nodes: strings.Split(addrs, ","), TotalShards: 64})
	ctx := context.Background()
	var mu sync.Mutex
	var ownMax time.Duration
	var ownStalled uint64
	for i := range 4 {
		k := []byte(fmt.Sprintf("stalled:%d", i))
		if _, err := c.Put(ctx, k, []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				start := time.Now()
				_, _ = c.Get(ctx, k, nil)
				took := time.Since(start)
				stalled := c.RanAcrossStall(start, took)
				mu.Lock()
				if stalled {
					ownStalled++
				} else {
					ownMax = max(ownMax, took)
				}
				mu.Unlock()
			}
		}()
	}
	for {
		s := c.Stats()
		get := s.Ops["get"]
		var nodeMax time.Duration
		for _, o := range s.NodeOps["get"] {
			nodeMax = max(nodeMax, o.Latency.Max())
		}
		mu.Lock()
		own, ownOut := ownMax, ownStalled
		mu.Unlock()
		fmt.Printf("calls %d suspended %d max %d nodemax %d ownmax %d ownstalled %d\n",
			get.Calls, get.Suspended, get.Latency.Max(), nodeMax, own, ownOut)
		time.Sleep(50 * time.Millisecond)
	}
}
