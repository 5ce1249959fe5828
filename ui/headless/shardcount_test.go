package headless

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
)

// Shell commands against a cluster of 256 shards. Without --shards the
// default 1024 is a guess and the cluster's count is taken: on the old code
// `scan` failed ("shard 256 not found") and `trace`/`status` reported 1024
// shards and no leader for most keys. With --shards set to another count
// the command refuses and says what to use.
func TestShellCommandsTakeTheClustersShardCount(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 256, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	nodes := "--nodes=" + strings.Join(cl.Addrs(), ",")
	for _, k := range []string{"a", "b", "c", "d"} { // shards 894, 745, 764, 405 of 1024
		if r := run(t, "", "put", nodes, "sc/"+k, "v"); r.code != 0 {
			t.Fatalf("put: %d %s", r.code, r.stderr)
		}
	}
	r := run(t, "", "scan", nodes, "--prefix", "sc/")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 4 {
		t.Fatalf("scan without --shards: exit %d, %q, stderr %q; want the 4 keys", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", "trace", nodes, "a")
	var tr struct {
		Shard       int    `json:"shard"`
		TotalShards int    `json:"total_shards"`
		Leader      string `json:"leader"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tr); err != nil || tr.TotalShards != 256 || tr.Shard >= 256 || tr.Leader == "" {
		t.Fatalf("trace without --shards: %+v (%v) from %q; want shard < 256 of 256 with its leader", tr, err, r.stdout)
	}
	r = run(t, "", "status", nodes)
	if !strings.Contains(r.stdout, `"total_shards":256`) {
		t.Fatalf("status without --shards: %s; want total_shards 256", r.stdout)
	}
	r = run(t, "", "scan", nodes, "--shards", "1024", "--prefix", "sc/")
	if r.code != ExitInvalid || !strings.Contains(r.stderr, "--shards is 1024") || !strings.Contains(r.stderr, "has 256 shards: use 256") {
		t.Fatalf("scan --shards 1024: exit %d, stderr %q; want an invalid-input error naming both counts", r.code, r.stderr)
	}
}
