package node_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// startSingle starts a one-node cluster (2 groups) on dir with the given
// log store and waits for its leaders.
func startSingle(t *testing.T, dir string, store node.LogStore) (*node.Node, error) {
	t.Helper()
	l := topology.Layout{TotalShards: 4, Groups: 2}
	cls, rls := listenNodes(t, &l, 1)
	cl, rl := cls[0], rls[0]
	x, err := node.Start(node.Config{Layout: l, NodeID: "n1", DataDir: dir, ClientListener: cl, RaftListener: rl, Fsync: true, LogStore: store})
	if err != nil {
		_ = cl.Close()
		_ = rl.Close()
		return nil, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for g := 0; g < l.Groups; g++ {
		for !x.IsLeader(g) {
			if time.Now().After(deadline) {
				_ = x.Close()
				t.Fatalf("group %d has no leader", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return x, nil
}

func putAndCheck(t *testing.T, x *node.Node, put, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if put != "" {
		if _, err := x.Propose(ctx, 1, &kvstore.Command{Type: kvstore.CmdPut, Key: []byte(put), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	fsm, err := x.ReadGroup(ctx, 1, node.Linearizable)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fsm.Get([]byte(want), time.Now().UnixMilli()); !ok {
		t.Fatalf("key %q missing", want)
	}
}

func readMarker(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "raft-log-store"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestLogStoreKeptPerDataDir checks that a new data dir gets the Pebble
// store, that a dir keeps the store it was made with across restarts
// (bolt too), and that asking for the other store is refused.
func TestLogStoreKeptPerDataDir(t *testing.T) {
	for _, tc := range []struct {
		create node.LogStore
		want   string
		other  node.LogStore
	}{{node.LogStoreAuto, "pebble", node.LogStoreBolt}, {node.LogStoreBolt, "bolt", node.LogStorePebble}} {
		t.Run(tc.want, func(t *testing.T) {
			dir := t.TempDir()
			x, err := startSingle(t, dir, tc.create)
			if err != nil {
				t.Fatal(err)
			}
			putAndCheck(t, x, "before", "before")
			if err := x.Close(); err != nil {
				t.Fatal(err)
			}
			if got := readMarker(t, dir); got != tc.want {
				t.Fatalf("data dir records %q, want %q", got, tc.want)
			}
			if _, err := startSingle(t, dir, tc.other); err == nil || !strings.Contains(err.Error(), "cannot be mixed") {
				t.Fatalf("starting with the %s store on a %s dir: %v, want a refusal", tc.other, tc.want, err)
			}
			x, err = startSingle(t, dir, node.LogStoreAuto)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			putAndCheck(t, x, "after", "before")
		})
	}
}

// TestLogStoreLegacyBoltDir checks that a data dir made before the marker
// existed (bbolt files only) is recognised as bolt.
func TestLogStoreLegacyBoltDir(t *testing.T) {
	dir := t.TempDir()
	x, err := startSingle(t, dir, node.LogStoreBolt)
	if err != nil {
		t.Fatal(err)
	}
	putAndCheck(t, x, "old", "old")
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "raft-log-store")); err != nil {
		t.Fatal(err)
	}
	x, err = startSingle(t, dir, node.LogStoreAuto)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	putAndCheck(t, x, "", "old")
	if got := readMarker(t, dir); got != "bolt" {
		t.Fatalf("legacy dir recorded as %q, want bolt", got)
	}
	if _, err := startSingle(t, t.TempDir(), node.LogStore("rocks")); err == nil || !strings.Contains(err.Error(), "unknown Raft log store") {
		t.Fatalf("unknown store: %v", err)
	}
}
