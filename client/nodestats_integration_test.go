package client_test

import (
	"fmt"
	"testing"
)

// Stats.NodeOps splits each operation's attempts by the node that served
// them: on a healthy 3-node cluster, puts spread over the leaders, each with
// its own latency, and the attempts add up to the calls.
func TestStatsNodeOpsSplitsLatencyByNode(t *testing.T) {
	cl, c := startCluster(t)
	ctx := tctx(t)
	for i := 0; i < 200; i++ {
		if _, err := c.Put(ctx, []byte(fmt.Sprintf("node-lat-%d", i)), []byte("v"), nil); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	s := c.Stats()
	byNode := s.NodeOps["put"]
	if len(byNode) < 2 {
		t.Fatalf("put attempts on %d nodes, want the leaders of several groups: %v", len(byNode), s.NodeOps)
	}
	known := map[string]bool{}
	for _, a := range cl.Addrs() {
		known[a] = true
	}
	var attempts uint64
	for addr, o := range byNode {
		if !known[addr] {
			t.Errorf("attempts on %q, not a node of the cluster %v", addr, cl.Addrs())
		}
		if o.Calls == 0 || o.Latency.Count() != o.Calls || o.Latency.P99() <= 0 {
			t.Errorf("node %s: %d attempts, %d samples, p99 %v", addr, o.Calls, o.Latency.Count(), o.Latency.P99())
		}
		attempts += o.Calls
	}
	put := s.Ops["put"]
	if attempts < put.Calls || attempts > put.Calls+put.Retries+put.Redirects {
		t.Fatalf("%d put attempts by node for %d calls (%d retries, %d redirects)", attempts, put.Calls, put.Retries, put.Redirects)
	}
	if _, ok := s.NodeOps["vector search"]; ok {
		t.Error("an operation never attempted appears in NodeOps")
	}
}
