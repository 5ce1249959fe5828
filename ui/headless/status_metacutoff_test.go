package headless

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A node cut off from its peers (the console still reaches it) says so in
// its NodeStatus (meta_cut_off), and `status` shows it on that node's row
// and as a problem naming the reason. Before, NodeStatus had no such field
// and status said nothing about the node itself (only, at best, that a
// view it gave was behind).
func TestStatusNamesANodeCutOffFromTheCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := startOwnCluster(t, ctx)
	addrs := cl.Addrs()
	cl.CutLink("n3", "n1")
	cl.CutLink("n3", "n2")

	type node struct {
		ID         string `json:"id"`
		Health     string `json:"health"`
		MetaCutOff string `json:"meta_cut_off"`
	}
	var got struct {
		Nodes    []node   `json:"nodes"`
		Problems []string `json:"problems"`
	}
	var last result
	cutOff := func() (node, bool) {
		last = run(t, "", "status", "--nodes="+strings.Join(addrs, ","), "--shards=64", "-o", "json")
		got.Nodes, got.Problems = nil, nil
		if err := json.Unmarshal([]byte(last.stdout), &got); err != nil {
			return node{}, false
		}
		for _, n := range got.Nodes {
			if n.ID == "n3" && n.MetaCutOff != "" {
				return n, true
			}
		}
		return node{}, false
	}
	deadline := time.Now().Add(30 * time.Second)
	n3, ok := cutOff()
	for ; !ok; n3, ok = cutOff() {
		if time.Now().After(deadline) {
			t.Fatalf("status never said n3 is cut off (exit %d):\n%s\n%s", last.code, last.stdout, last.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(n3.MetaCutOff, "metadata group's leader") {
		t.Errorf("n3's meta_cut_off %q does not say it has not heard the metadata leader", n3.MetaCutOff)
	}
	found := false
	for _, p := range got.Problems {
		found = found || strings.Contains(p, "n3") && strings.Contains(p, "cut off from the cluster") && strings.Contains(p, n3.MetaCutOff)
	}
	if !found {
		t.Errorf("no problem says n3 is cut off, with its reason:\n%s", last.stdout)
	}
	if last.code == ExitOK {
		t.Errorf("status exits 0 with n3 cut off:\n%s", last.stdout)
	}
	table := run(t, "", "status", "--nodes="+strings.Join(addrs, ","), "--shards=64", "-o", "table")
	for _, line := range strings.Split(table.stdout, "\n") {
		if strings.HasPrefix(line, "n3 ") && !strings.Contains(line, "cut off") {
			t.Errorf("n3's row does not say it is cut off:\n%s", table.stdout)
		}
	}
}
