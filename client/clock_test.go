package client

import (
	"context"
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// A call answered by its first attempt reads the clock twice (when it
// starts, reused as the attempt's send time, and when the attempt ends), so
// the call's latency (Stats.Ops) and its node's (Stats.NodeOps) are the same
// durations: same count, mean and maximum. Each reading costs CPU that, at
// 64 callers on two cores, is throughput; before, four readings made the
// call's latency always a little longer than its node's.
func TestSingleAttemptCallAndNodeLatencyShareClockReadings(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return &norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 1, Index: 1}}, nil
		}
	})
	c := newTestClient(t, false, f.addr)
	const calls = 50
	for range calls {
		if _, err := c.Get(context.Background(), []byte("k"), nil); err != nil {
			t.Fatal(err)
		}
	}
	s := c.Stats()
	op, node := s.Ops["get"], s.NodeOps["get"][f.addr]
	if op.Calls != calls || node.Calls != calls || op.Retries != 0 {
		t.Fatalf("calls: op %d (retries %d), node %d; want %d each, no retries", op.Calls, op.Retries, node.Calls, calls)
	}
	if op.Latency.Count() != node.Latency.Count() || op.Latency.Mean() != node.Latency.Mean() || op.Latency.Max() != node.Latency.Max() {
		t.Fatalf("call latency (n %d, mean %v, max %v) differs from its node's (n %d, mean %v, max %v): the success path reads the clock more than twice",
			op.Latency.Count(), op.Latency.Mean(), op.Latency.Max(), node.Latency.Count(), node.Latency.Mean(), node.Latency.Max())
	}
}
