//go:build unix

package headless

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/proccluster"
)

// TestStatusOfALoneRestartedNodeCountsWhatAnswered: three serve processes
// killed, one started again alone. Before it hears a metadata leader it
// cannot replay its metadata: its view says epoch 0 and every node suspect,
// and it ends watch streams saying its view is not current. `status`
// printed "0/3 nodes up" from that view though the node had just answered
// it (only its first problem line explained why). With the view known not
// current, the count is of the nodes that answered status's own requests,
// and the header and the JSON say so; the view's own count is kept beside.
// n1's own row read "suspect" and a problem said "n1 (...) is suspect",
// from that old view, though n1 had just answered: its health now reads
// "answered (view: suspect)" (the JSON keeps health "suspect" and says
// "up": true), and that problem is gone.
func TestStatusOfALoneRestartedNodeCountsWhatAnswered(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 64, Groups: 2})
	for _, id := range pc.IDs() {
		pc.Kill(t, id)
	}
	pc.Launch(t, "n1") // alone: never ready, no group can elect a leader
	nodes := "--nodes=" + strings.Join(pc.Addrs(), ",")

	var got struct {
		Epoch          uint64 `json:"epoch"`
		ViewNotCurrent string `json:"view_not_current"`
		NodesUp        int    `json:"nodes_up"`
		NodesUpFrom    string `json:"nodes_up_from"`
		NodesAnswered  int    `json:"nodes_answered"`
		AliveInView    int    `json:"nodes_alive_in_view"`
		Nodes          []struct {
			ID       string `json:"id"`
			Addr     string `json:"addr"`
			Health   string `json:"health"`
			Answered bool   `json:"answered"`
			Up       bool   `json:"up"`
		} `json:"nodes"`
		Problems []string `json:"problems"`
	}
	var last result
	eventually(t, time.Minute, "status to say n1's view is not current", func() bool {
		last = run(t, "", "status", nodes, "--shards=64", "-o", "json")
		got.ViewNotCurrent = ""
		return last.code == ExitDegraded && json.Unmarshal([]byte(last.stdout), &got) == nil && got.ViewNotCurrent != ""
	})
	t.Logf("status -o json: %s", last.stdout)
	if len(got.Nodes) != 3 {
		t.Fatalf("status names %d nodes, want the 3 of n1's view:\n%s", len(got.Nodes), last.stdout)
	}
	n1Health, n1Addr := "", ""
	for _, n := range got.Nodes {
		if n.Answered != (n.ID == "n1") || n.Up != n.Answered {
			t.Errorf("%s answered = %v, up = %v; only n1 runs, and it is up", n.ID, n.Answered, n.Up)
		}
		if n.ID == "n1" {
			n1Health, n1Addr = n.Health, n.Addr
		}
	}
	// n1's health is its old view's word (epoch 0: every node suspect),
	// kept in the JSON; but n1 answered: that is no problem of the cluster.
	if n1Health == "alive" {
		t.Fatalf("n1's old view calls it alive: not the case this test is about:\n%s", last.stdout)
	}
	for _, p := range got.Problems {
		if p == "n1 ("+n1Addr+") is "+n1Health {
			t.Errorf("problem %q: n1 answered this status; its old view's word is no problem", p)
		}
	}
	if got.NodesUp != 1 || got.NodesUpFrom != "answers" || got.NodesAnswered != 1 {
		t.Errorf("nodes_up %d from %q, nodes_answered %d; want 1 from \"answers\" (n1 answered, the view is not current)",
			got.NodesUp, got.NodesUpFrom, got.NodesAnswered)
	}

	table := run(t, "", "status", nodes, "--shards=64", "-o", "table")
	header, _, _ := strings.Cut(table.stdout, "\n")
	t.Logf("status -o table:\n%s", table.stdout)
	if !strings.Contains(table.stdout, "the cluster view is not current") {
		t.Skipf("the second status did not find the view not current (exit %d): %s", table.code, table.stdout)
	}
	var n1Row string
	for _, l := range strings.Split(table.stdout, "\n") {
		if strings.HasPrefix(l, "n1 ") {
			n1Row = l
		}
	}
	if !strings.Contains(n1Row, "answered (view: "+n1Health+")") || strings.Contains(table.stdout, "problem: n1 ("+n1Addr+") is "+n1Health+"\n") {
		t.Errorf("n1's row %q: want its health to read answered (view: %s), and no problem that it is %s", n1Row, n1Health, n1Health)
	}
	if strings.Contains(header, "0/3 nodes up") || !strings.Contains(header, "1/3 nodes up (answered this status; ") ||
		!strings.Contains(header, " alive in n1's view, which is not current)") {
		t.Errorf("header %q: want 1/3 nodes up, said to be the nodes that answered, and the view's count said to be n1's old view's", header)
	}
}
