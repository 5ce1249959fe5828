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
			Health   string `json:"health"`
			Answered bool   `json:"answered"`
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
	for _, n := range got.Nodes {
		if n.Answered != (n.ID == "n1") {
			t.Errorf("%s answered = %v; only n1 runs", n.ID, n.Answered)
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
	if strings.Contains(header, "0/3 nodes up") || !strings.Contains(header, "1/3 nodes up (answered this status; ") ||
		!strings.Contains(header, " alive in n1's view, which is not current)") {
		t.Errorf("header %q: want 1/3 nodes up, said to be the nodes that answered, and the view's count said to be n1's old view's", header)
	}
}
