package node_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// startLayout starts a one-node cluster with the given counts on dir.
func startLayout(t *testing.T, dir string, shards, groups int) (*node.Node, error) {
	t.Helper()
	l := topology.Layout{TotalShards: shards, Groups: groups}
	cls, rls := listenNodes(t, &l, 1)
	x, err := node.Start(node.Config{Layout: l, NodeID: "n1", DataDir: dir, ClientListener: cls[0], RaftListener: rls[0]})
	if err != nil {
		_ = cls[0].Close()
		_ = rls[0].Close()
	}
	return x, err
}

// TestDataDirKeepsItsLayout: a data dir created with some shard and group
// counts refuses to start with others (before, it started and read the old
// groups' logs as other shards': keys silently missing), says which
// values to use, and starts again with the right ones.
func TestDataDirKeepsItsLayout(t *testing.T) {
	dir := t.TempDir()
	x, err := startLayout(t, dir, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ shards, groups int }{{4, 1}, {8, 2}} {
		x, err = startLayout(t, dir, c.shards, c.groups)
		if err == nil {
			_ = x.Close()
			t.Fatalf("started with --shards %d --groups %d on a data dir made with 4/2", c.shards, c.groups)
		}
		for _, want := range []string{"created with --shards 4 --groups 2", "Start every node with --shards 4 --groups 2", "empty data dir"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not say %q", err, want)
			}
		}
	}
	x, err = startLayout(t, dir, 4, 2)
	if err != nil {
		t.Fatalf("restart with the original layout: %v", err)
	}
	_ = x.Close()
}

// TestDataDirLayoutMarker: a damaged marker is refused with a message
// naming the file; a data dir from before the marker (data, no marker)
// starts as before and gets one.
func TestDataDirLayoutMarker(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "layout")
	if err := os.WriteFile(marker, []byte("shards=4 groups=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := startLayout(t, dir, 4, 2)
	if err == nil {
		_ = x.Close()
		t.Fatal("started on a damaged layout marker")
	}
	if !strings.Contains(err.Error(), marker) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("error %q does not name the damaged marker", err)
	}

	old := t.TempDir()
	if x, err = startLayout(t, old, 4, 2); err != nil {
		t.Fatal(err)
	}
	_ = x.Close()
	if err := os.Remove(filepath.Join(old, "layout")); err != nil { // as a data dir from before the marker
		t.Fatal(err)
	}
	if x, err = startLayout(t, old, 4, 2); err != nil {
		t.Fatalf("data dir from before the marker: %v", err)
	}
	_ = x.Close()
	b, err := os.ReadFile(filepath.Join(old, "layout"))
	if err != nil || string(b) != "shards=4 groups=2\n" {
		t.Fatalf("marker after the restart: %q, %v", b, err)
	}
}
