package node_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnmarkedDataDirRefusesOtherGroupCounts: a data dir from before the
// layout marker (made here by starting 4 groups and taking the marker
// away) was created when the default was 16 groups; started with another
// group count (the new default 6, when --groups is not given) the node
// would have recorded that count and read the old groups' logs as other
// shards'. Its group directories show the count: the node refuses and
// names it, and starts with it (recording it).
func TestUnmarkedDataDirRefusesOtherGroupCounts(t *testing.T) {
	dir := t.TempDir()
	x, err := startLayout(t, dir, 8, 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "layout")); err != nil {
		t.Fatal(err)
	}
	for _, groups := range []int{2, 8} {
		x, err := startLayout(t, dir, 8, groups)
		if err == nil {
			_ = x.Close()
			t.Fatalf("started with --groups %d on an unmarked data dir holding 4 groups", groups)
		}
		for _, want := range []string{"before data dirs recorded their counts", "holds the Raft logs of 4 groups", "Start every node with --groups 4"} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("--groups %d: error %q does not say %q", groups, err, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "layout")); !os.IsNotExist(err) {
			t.Fatalf("--groups %d: the refused start left a marker (%v)", groups, err)
		}
	}
	x, err = startLayout(t, dir, 8, 4)
	if err != nil {
		t.Fatalf("with the groups it holds: %v", err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "layout")); err != nil || string(b) != "shards=8 groups=4\n" {
		t.Fatalf("marker after the start: %q, %v", b, err)
	}
}
