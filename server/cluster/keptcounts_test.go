package cluster_test

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
)

// TestDataDirKeepsItsCountsWithoutFlags restarts a cluster whose data dir
// was created with 64 shards and 16 groups without giving either count
// (devcluster --data-dir DIR without --shards/--groups): it keeps the
// recorded counts rather than the defaults, says so, and every key
// written before reads back. Counts given that differ are still refused.
// On the old code the restart took the defaults and was refused.
func TestDataDirKeepsItsCountsWithoutFlags(t *testing.T) {
	const shards, groups = 64, 16
	dir := t.TempDir()
	ctx := ctxFor(t, 90*time.Second)
	c1, err := cluster.Start(ctx, cluster.Options{TotalShards: shards, Groups: groups, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	r1 := newRouter(t, c1)
	var keys []string
	for g := 0; g < groups; g++ {
		keys = append(keys, keysInGroup(c1, "kept", g, 2)...)
	}
	for _, k := range keys {
		if _, err := r1.put(ctx, k, "v-"+k, 0); err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := cluster.Start(ctx, cluster.Options{Groups: 8, DataDir: dir}); err == nil || !strings.Contains(err.Error(), "16 groups") {
		t.Fatalf("restart with --groups 8 on a data dir of 16 groups: %v; want a refusal naming the recorded counts", err)
	}

	c2 := start(t, cluster.Options{DataDir: dir})
	if l := c2.Layout(); l.TotalShards != shards || l.Groups != groups {
		t.Fatalf("restarted without counts: %d shards, %d groups; want the data dir's %d and %d", l.TotalShards, l.Groups, shards, groups)
	}
	if got, want := c2.KeptCounts(), "--shards 64 --groups 16"; got != want {
		t.Errorf("KeptCounts %q; want %q", got, want)
	}
	r2 := newRouter(t, c2)
	for _, k := range keys {
		g, err := r2.get(ctx, k, "linearizable")
		if err != nil || string(g.Value) != "v-"+k {
			t.Fatalf("get %s after the restart without counts: %v %v", k, g, err)
		}
	}
}
