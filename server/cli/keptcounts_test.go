package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// devclusterStatus runs devcluster with args until it is ready, asks n1
// for its shard and group counts, stops it, and returns them with its
// stderr.
func devclusterStatus(t *testing.T, args ...string) (shards, groups uint32, stderr string) {
	t.Helper()
	d := startDevcluster(t, args...)
	st := d.nodeStatus(t, 0)
	d.stop(t, 30*time.Second)
	return st.TotalShards, st.TotalGroups, d.stderr.String()
}

// TestDevclusterKeepsItsDataDirsCounts: a --data-dir created with
// --shards 64 --groups 16 started again without --shards and --groups
// keeps 64 and 16 (not the defaults 1024 and 6) and says so once on
// stderr; other counts given on the command line are still refused. On
// the old code the second start took the defaults and was refused.
func TestDevclusterKeepsItsDataDirsCounts(t *testing.T) {
	dir := t.TempDir()
	if s, g, _ := devclusterStatus(t, "--nodes", "3", "--shards", "64", "--groups", "16", "--data-dir", dir); s != 64 || g != 16 {
		t.Fatalf("created with --shards 64 --groups 16: node status says %d shards, %d groups", s, g)
	}
	s, g, stderr := devclusterStatus(t, "--nodes", "3", "--data-dir", dir)
	if s != 64 || g != 16 {
		t.Fatalf("restarted without counts: %d shards, %d groups; want the data dir's 64 and 16 (stderr: %s)", s, g, stderr)
	}
	want := "devcluster: data dir " + dir + " was created with --shards 64 --groups 16; keeping them"
	if n := strings.Count(stderr, want); n != 1 {
		t.Errorf("stderr says %d times %q (want once):\n%s", n, want, stderr)
	}

	var out, errb bytes.Buffer
	if code := Devcluster(context.Background(), []string{"--nodes", "3", "--groups", "4", "--data-dir", dir}, &out, &errb); code != exitError ||
		!strings.Contains(errb.String(), "64 shards, 16 groups") {
		t.Errorf("--groups 4 on a data dir of 16 groups: exit %d, stderr %q; want a refusal naming the recorded counts", code, errb.String())
	}
}
