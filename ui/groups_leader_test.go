package ui

import (
	"context"
	"strings"
	"testing"
	"time"
)

// groupRowLeader returns the LEADER cell of group row g ("g0") in the
// Cluster pane's view, "" when the row is not shown.
func groupRowLeader(view, g string) string {
	in := false
	for _, l := range strings.Split(view, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 1 && f[0] == "GROUP" && f[1] == "SHARDS":
			in = true
		case in && len(f) > 2 && f[0] == g:
			if f[2] == "none" || len(f) < 4 {
				return f[2]
			}
			return f[3] // after the node's glyph "[2]"
		case in && len(f) == 0:
			in = false
		}
	}
	return ""
}

// TestGroupsTableNeverNamesAnOldLeader: on a real cluster, a group's leader
// moves; the topology watch shows it at once, the nodes' reports at the next
// poll. At no point does the groups table name another leader than the
// view's (it named the old leader with its old term until the next poll).
func TestGroupsTableNeverNamesAnOldLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, freeBasePort(t))
	t.Cleanup(func() { _ = cl.Close() })
	m, d, c := consoleOn(t, cl.Addrs())
	send(m, press("1"))
	d.until("group 0's leader reported", 30*time.Second, func() bool {
		v := m.ClusterView()
		return m.ConnState() == StateConnected && v != nil && v.Shards[0].Leader() != "" &&
			groupRowLeader(m.View(), "g0") == v.Shards[0].Leader() && strings.Contains(m.View(), v.Shards[0].Leader()+"*")
	})
	from := m.ClusterView().Shards[0].Leader()
	to := "n1"
	if from == "n1" {
		to = "n2"
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := c.TransferShard(ctx, 0, to)
		done <- err
	}()
	d.until("the new leader's report in the table", 30*time.Second, func() bool {
		view := m.View()
		want := m.ClusterView().Shards[0].Leader()
		if got := groupRowLeader(view, "g0"); got != want && !(want == "" && got == "none") {
			t.Fatalf("the view names %q leader of shard 0, the groups table %q:\n%s", want, got, view)
		}
		return want == to && strings.Contains(view, to+"*")
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
