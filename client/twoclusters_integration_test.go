package client_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// Seeds naming nodes of two clusters made the client take whichever
// cluster answered first, then the other, then settle: two "cluster
// replaced" events in a second at start, and writes meanwhile going to
// either. Now it follows the cluster most seeds name (a tie: the first
// seed's), never replaces it with the other, names the other's addresses
// (OtherClusters, ErrOtherCluster) and routes nothing there.
func TestSeedsOfTwoClustersFollowOne(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two embedded clusters")
	}
	a, ca := startCluster(t)
	b, cb := startClusterWith(t, cluster.Options{Nodes: 1, TotalShards: 64, Groups: 1})
	idA, idB := ca.Stats().Topology.ClusterID, cb.Stats().Topology.ClusterID
	if idA == "" || idB == "" || idA == idB {
		t.Fatalf("cluster ids %q and %q: want two different ids", idA, idB)
	}
	b0 := b.Addrs()[0]
	for _, tc := range []struct {
		name    string
		seeds   []string
		follow  string
		foreign string
	}{
		{"the majority's, though another cluster's seed comes first", []string{b0, a.Addrs()[0], a.Addrs()[1], a.Addrs()[2]}, idA, b0},
		{"the majority's, the other seed last", []string{a.Addrs()[2], a.Addrs()[1], b0}, idA, b0},
		{"a tie: the first seed's", []string{b0, a.Addrs()[1]}, idB, a.Addrs()[1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 3 {
				shards := 1024
				if tc.follow == idB {
					shards = 64
				}
				c, err := client.New(client.Config{Nodes: tc.seeds, TotalShards: shards})
				if err != nil {
					t.Fatal(err)
				}
				var replaced atomic.Int64
				c.OnTopologyChange(func(ev client.TopologyEvent) {
					if ev.Replaced {
						replaced.Add(1)
					}
				})
				if err := c.Connect(tctx(t)); err != nil {
					t.Fatalf("Connect: %v", err)
				}
				ctx := tctx(t)
				key := fmt.Appendf(nil, "two-clusters-%d-%d", len(tc.seeds), round)
				// Writes for two seconds: the watch restarts and probes
				// meanwhile, and every write must land in the followed
				// cluster.
				for end := time.Now().Add(2 * time.Second); time.Now().Before(end); {
					if _, err := c.Put(ctx, key, []byte(tc.follow), nil); err != nil {
						t.Fatalf("put: %v", err)
					}
					time.Sleep(50 * time.Millisecond)
				}
				if n := replaced.Load(); n != 0 {
					t.Fatalf("round %d: %d 'cluster replaced' events, want none", round, n)
				}
				if got := c.ClusterView().ClusterID; got != tc.follow {
					t.Fatalf("round %d: following cluster %q, want %q", round, got, tc.follow)
				}
				others := c.OtherClusters()
				if len(others) != 1 || others[0].Addr != tc.foreign || others[0].Following != tc.follow || !errors.Is(others[0], client.ErrOtherCluster) {
					t.Fatalf("round %d: OtherClusters = %v, want %s of the other cluster", round, others, tc.foreign)
				}
				other := ca
				if tc.follow == idA {
					other = cb
				}
				if _, err := other.Get(ctx, key, nil); !errors.Is(err, client.ErrKeyNotFound) {
					t.Fatalf("round %d: the other cluster has the key (err %v): a write went there", round, err)
				}
				_ = c.Close()
			}
		})
	}
}
