package client_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// connectWithShards connects a client configured for shards to cl.
func connectWithShards(t *testing.T, cl *cluster.Cluster, shards int, watch bool) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: shards, DisableWatch: !watch})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(tctx(t)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return c
}

// A client configured for another shard count than the cluster's used to
// list keys wrongly without saying why: against a cluster of 256 shards a
// 1024-shard client's Scan failed with "key not found" (the servers refuse
// shards 256..1023), and against a cluster of 1024 shards a 256-shard
// client's Scan listed only the keys of shards 0..255, without an error.
func TestShardCountDifferentFromTheClusters(t *testing.T) {
	small, c256 := startClusterWith(t, cluster.Options{Nodes: 3, TotalShards: 256, Groups: 4})
	big, c1024 := startCluster(t)
	ctx := tctx(t)
	for i := range 40 {
		for _, c := range []*client.Client{c256, c1024} {
			if _, err := c.Put(ctx, fmt.Appendf(nil, "sc-%02d", i), []byte("v"), nil); err != nil {
				t.Fatalf("put: %v", err)
			}
		}
	}
	for _, tc := range []struct {
		name            string
		cl              *cluster.Cluster
		configured, has int
		watch           bool
	}{
		{"fewer shards than configured", small, 1024, 256, true},
		{"more shards than configured", big, 256, 1024, true},
		{"fewer shards, no view yet", small, 1024, 256, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectWithShards(t, tc.cl, tc.configured, tc.watch)
			if tc.watch {
				var sce *client.ShardCountError
				if err := c.CheckShardCount(); !errors.As(err, &sce) || sce.Configured != tc.configured || sce.Cluster != tc.has {
					t.Fatalf("CheckShardCount = %v, want the cluster's %d against the configured %d", err, tc.has, tc.configured)
				}
			}
			_, err := c.Scan(ctx, &client.ScanOptions{Prefix: []byte("sc-"), Limit: 100})
			if !errors.Is(err, client.ErrShardCount) || errors.Is(err, client.ErrKeyNotFound) {
				t.Fatalf("Scan = %v, want an error matching ErrShardCount", err)
			}
			if want := fmt.Sprintf("set TotalShards to %d", tc.has); !strings.Contains(err.Error(), want) {
				t.Fatalf("Scan error %q does not say what to do (%q)", err, want)
			}
			// Single keys still work: servers place keys by their own count.
			got, err := c.Get(ctx, []byte("sc-07"), nil)
			if err != nil || string(got.Value) != "v" {
				t.Fatalf("Get with a wrong shard count = %v, %v", got, err)
			}
		})
	}
	// The right count: no error, every key listed.
	if err := c256.CheckShardCount(); err != nil {
		t.Fatalf("CheckShardCount with the cluster's own count: %v", err)
	}
	res, err := c256.Scan(ctx, &client.ScanOptions{Prefix: []byte("sc-"), Limit: 100})
	if err != nil {
		t.Fatalf("Scan with the right count: %v", err)
	}
	if len(res.Entries) != 40 {
		t.Fatalf("Scan with the right count listed %d keys, want 40", len(res.Entries))
	}
}
