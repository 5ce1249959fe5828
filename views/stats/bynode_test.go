package stats

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// The per-node split shows the client's own measurements from a real
// cluster: one row per node that served puts, named by the view, with
// attempts adding up to the calls.
func TestLatencyByNodeFromARealCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	defer cl.Close()
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := c.Put(ctx, []byte(fmt.Sprintf("k%d", i)), []byte("v"), nil); err != nil {
			t.Fatalf("put: %v", err)
		}
	}
	view := c.ClusterView()
	if view == nil {
		t.Fatal("no cluster view after Connect")
	}
	m := New(uitest.Common())
	m.SetSize(120, 30)
	m.Update(common.TopologyMsg{At: t0, View: view})
	m.Update(common.StatsMsg{At: t0, Stats: c.Stats()})
	m.Update(common.StatsMsg{At: t0.Add(time.Second), Stats: c.Stats()})
	for m.Selected() != "put" {
		m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	v := m.View()
	if !strings.Contains(v, "LATENCY put BY NODE") {
		t.Fatalf("no per-node split:\n%s", v)
	}
	rows := m.nodeRows("put")
	if len(rows) < 2 {
		t.Fatalf("%d nodes served puts, want several:\n%s", len(rows), v)
	}
	var attempts uint64
	for i, r := range rows {
		if r.id == "?" || !strings.Contains(v, r.addr) {
			t.Errorf("row %+v not named by the view or not shown", r)
		}
		if i > 0 && r.o.Latency.P99() > rows[i-1].o.Latency.P99() {
			t.Errorf("rows not slowest first: %v before %v", rows[i-1].o.Latency.P99(), r.o.Latency.P99())
		}
		attempts += r.o.Calls
	}
	if attempts < 100 {
		t.Errorf("%d attempts by node for 100 puts", attempts)
	}
	uitest.RequireSize(t, v, 120, 30)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	if strings.Contains(m.View(), "BY NODE") {
		t.Error("n again did not return to the graph")
	}
}

func TestSortByOpsErrorsAndCopyTSV(t *testing.T) {
	m := fed(80, 24)
	m.SetSort(common.SortState{Column: "ops/s", Desc: true})
	if got := strings.Join(m.ops, ","); got != "get,put" {
		t.Fatalf("ops/s desc: %s", got)
	}
	m.SetSort(common.SortState{Column: "ops/s"})
	if got := strings.Join(m.ops, ","); got != "put,get" {
		t.Fatalf("ops/s asc: %s", got)
	}
	if !strings.Contains(m.View(), "OPERATION ops/s ↑") {
		t.Errorf("header lacks the sort:\n%s", m.View())
	}
	// A new sample keeps the order (and the selection).
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	m.Update(common.StatsMsg{At: t0.Add(9 * time.Second), Stats: sample(9)})
	if got := strings.Join(m.ops, ","); got != "put,get" || m.Selected() != "get" {
		t.Fatalf("after a sample: %s, selected %s", got, m.Selected())
	}
	m.SetSort(common.SortState{Column: "errors", Desc: true})
	if m.ops[0] != "get" {
		t.Fatalf("errors desc: %v", m.ops)
	}
	what, tsv, ok := m.CopyTable()
	lines := strings.Split(strings.TrimSpace(tsv), "\n")
	if !ok || what != "stats table (2 operations)" || len(lines) != 3 || lines[0] != tsvHeader || !strings.HasPrefix(lines[1], "get\t") {
		t.Fatalf("copy table: %q %q", what, tsv)
	}
	if _, text, ok := m.CopyTarget(); !ok || !strings.Contains(text, "\nget\t") {
		t.Fatalf("copy row: %q", text)
	}
}

// At 160 columns and more each row carries its p99 sparkline; below it,
// none.
func TestSparklineColumnWhenWide(t *testing.T) {
	m := fed(200, 60)
	if !strings.Contains(m.View(), "p99, last") {
		t.Fatalf("no sparkline column at 200 columns:\n%s", m.View())
	}
	if strings.Contains(fed(159, 40).View(), "p99, last") {
		t.Fatal("a sparkline column at 159 columns")
	}
}

func TestHistoryMemoryInFooter(t *testing.T) {
	m := fed(120, 30)
	m.Update(common.HistoryMsg{Epochs: 1000, Dropped: 12, Bytes: 3 << 20})
	if v := m.View(); !strings.Contains(v, "time travel: 1000 epochs kept (12 let go), 3.0 MiB") {
		t.Fatalf("footer lacks the history's memory:\n%s", v)
	}
}

// 200x60: the sparkline column uses the width (one column per second).
func TestGoldenWide(t *testing.T) {
	golden.RequireEqual(t, []byte(fed(200, 60).View()))
}
