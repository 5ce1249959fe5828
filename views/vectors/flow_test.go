package vectors

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// startPane starts a 3-node embedded cluster on 127.0.0.1 and a vectors
// pane with a connected client on it.
func startPane(t *testing.T) *Model {
	t.Helper()
	m, _ := startPaneOnCluster(t)
	return m
}

// startPaneOnCluster is startPane that also returns the cluster, for tests
// that put faults on it.
func startPaneOnCluster(t *testing.T) (*Model, *cluster.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := cl.Close(); err != nil {
			t.Logf("cluster close: %v", err)
		}
	})
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	cc := uitest.Common()
	cc.Client, cc.TotalShards, cc.Timeout = c, 64, 10*time.Second
	m := New(cc)
	m.SetSize(120, 40)
	return m, cl
}

// pump runs cmd and feeds what it produces back into the pane until
// nothing is left, the way the root would; messages meant for the root
// (status line, palette) are returned.
func pump(m *Model, cmd tea.Cmd) []tea.Msg {
	var root []tea.Msg
	queue := msgsOf(cmd)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		switch msg.(type) {
		case common.OpResultMsg, common.ErrorMsg, common.RunActionMsg:
			root = append(root, msg)
		default:
			queue = append(queue, msgsOf(m.Update(msg))...)
		}
	}
	return root
}

// runAction plays the palette: the pane asked (with a key) for an action,
// the user types arg and confirms. It returns the status line's report.
func runAction(t *testing.T, m *Model, asked []tea.Msg, arg string) common.OpResultMsg {
	t.Helper()
	if len(asked) != 1 {
		t.Fatalf("want one palette request, got %#v", asked)
	}
	ra, ok := asked[0].(common.RunActionMsg)
	if !ok {
		t.Fatalf("want a palette request, got %#v", asked[0])
	}
	out := pump(m, ra.Action.Run(arg))
	if len(out) != 1 {
		t.Fatalf("%s %q: %#v", ra.Action.Title, arg, out)
	}
	res, ok := out[0].(common.OpResultMsg)
	if !ok || res.Err != nil {
		t.Fatalf("%s %q: %#v", ra.Action.Title, arg, out[0])
	}
	return res
}

func typeKeys(m *Model, keys ...string) []tea.Msg {
	var root []tea.Msg
	for _, k := range keys {
		msg := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		}
		root = append(root, pump(m, m.Update(msg))...)
	}
	return root
}

// TestFlowCreateInsertSearchOnTheEmbeddedCluster drives the pane against a
// real cluster: create an index, insert vectors, search by vector and by
// id, check recall, delete a vector and drop the index. The same flow runs
// on the in-memory backend in every run (fake_flow_test.go); -short skips
// this one.
func TestFlowCreateInsertSearchOnTheEmbeddedCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("real cluster: the same flow runs on the fake backend")
	}
	vectorFlow(t, startPane(t))
}

// vectorFlow is the pane's whole write-and-search flow, on whatever
// backend m talks to.
func vectorFlow(t *testing.T, m *Model) {
	pump(m, m.Init())
	if v := m.View(); !strings.Contains(v, "0 indexes") || !strings.Contains(v, "no vector index yet") {
		t.Fatalf("fresh cluster:\n%s", v)
	}

	res := runAction(t, m, typeKeys(m, "N"), "flow 3 euclidean hnsw m=8 efc=64 ef=32")
	if res.Info != "created" || m.Namespace() != "flow" {
		t.Fatalf("create: %+v, target %q", res, m.Namespace())
	}
	ix, ok := m.index("flow")
	if !ok || ix.Dimensions != 3 || ix.M != 8 || ix.EfConstruction != 64 || ix.EfSearch != 32 || !ix.FromLeader {
		t.Fatalf("listing after create: %+v (listed %v)", ix, ok)
	}
	for _, arg := range []string{"a 1 0 0", "b 0 1 0", "c 0.9, 0.1, 0", "d 0 0 1", "e random"} {
		if res := runAction(t, m, typeKeys(m, "I"), arg); !strings.Contains(res.Info, "upserted 3 values") {
			t.Fatalf("insert %q: %+v", arg, res)
		}
	}
	if ix, _ := m.index("flow"); ix.Count != 5 {
		t.Fatalf("count after 5 inserts = %d", ix.Count)
	}

	// Type a query and search: ranked by euclidean distance.
	typeKeys(m, "enter", "1", ",", " ", "0", ",", " ", "0", "enter", "esc")
	r := m.Result()
	if m.formErr != nil || r == nil || len(r.Matches) != 5 || r.Matches[0].ID != "a" || r.Matches[1].ID != "c" || r.Matches[0].Distance != 0 {
		t.Fatalf("search: err %v, result %+v", m.formErr, r)
	}
	if m.Samples("flow") != 1 || m.result.rtt <= 0 {
		t.Fatalf("latency sample: %d samples, rtt %v", m.Samples("flow"), m.result.rtt)
	}
	v := m.View()
	for _, want := range []string{"RESULTS flow · 5 matches · server ", "round trip ", "    1 a ", "    2 c ", "LATENCY flow · last search"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}

	// The same search as an exact scan, which the server confirms.
	typeKeys(m, "E", "s")
	if r := m.Result(); m.result.err != nil || !r.Exact || r.Matches[0].ID != "a" || r.Matches[1].ID != "c" {
		t.Fatalf("exact search: %v %+v", m.result.err, r)
	}
	if v := m.View(); !strings.Contains(v, "k 10, exact scan, lease") {
		t.Errorf("exact search title:\n%s", v)
	}
	typeKeys(m, "E")

	// Recall against the server's exact scan of the same index.
	typeKeys(m, "a")
	if rc := m.result.recall; m.result.err != nil || rc == nil || !rc.exact || rc.hit != 5 || rc.of != 5 {
		t.Fatalf("recall: err %v, %+v", m.result.err, rc)
	}
	if v := m.View(); !strings.Contains(v, "recall@10 1.00 (5/5) vs an exact scan of the same index (server-confirmed)") {
		t.Errorf("recall line:\n%s", v)
	}

	// An ef sweep: every ef finds all five.
	typeKeys(m, "w")
	if sw := m.result.sweep; m.result.err != nil || len(sw) != 7 || sw[0].ef != 10 || sw[6].hit != 5 || sw[6].of != 5 {
		t.Fatalf("sweep: err %v, %+v", m.result.err, sw)
	}
	if v := m.View(); !strings.Contains(v, "EF SWEEP recall@10 against an exact scan") || !strings.Contains(v, "   640 1.00 (5/5)") {
		t.Errorf("sweep view:\n%s", v)
	}

	// Similar to b: b itself first, at distance 0, read at stale_ok.
	typeKeys(m, "c", "c")
	if out := pump(m, mustAction(t, m, "Find vectors similar to an id in flow").Run("b")); len(out) != 0 {
		t.Fatalf("similar: %#v", out)
	}
	if r := m.Result(); m.result.err != nil || r.Matches[0].ID != "b" || m.result.req.consistency != client.ConsistencyStaleOK {
		t.Fatalf("similar to b: %v %+v", m.result.err, r)
	}

	// Delete a, search again: a is gone.
	runAction(t, m, typeKeys(m, "X"), "a")
	typeKeys(m, "m", "s")
	if r := m.Result(); m.result.err != nil || len(r.Matches) != 4 || r.Matches[0].ID != "c" {
		t.Fatalf("after deleting a: %v %+v", m.result.err, r)
	}
	if m.Samples("flow") != 6 {
		t.Errorf("samples = %d, want 6 (search, exact search, recall, sweep, similar, search)", m.Samples("flow"))
	}

	// A search with the wrong dimension count never leaves the pane.
	m.inputs[fieldQuery].SetValue("")
	typeKeys(m, "enter", "1", " ", "2", "enter", "esc")
	if m.formErr == nil || !strings.Contains(m.formErr.Error(), "the query has 2 values but the index has 3 dimensions") {
		t.Fatalf("wrong count: %v", m.formErr)
	}

	// Load 50 vectors from a file (L): the count grows by 50.
	var b strings.Builder
	b.WriteString("id,x,y,z\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "f%02d,%d,%d,1\n", i, i, 50-i)
	}
	path := filepath.Join(t.TempDir(), "vectors.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := m.index("flow")
	if res := runAction(t, m, typeKeys(m, "L"), path); res.Info != "upserted 50 vectors of 3 dimensions" {
		t.Fatalf("import: %+v", res)
	}
	if ix, _ := m.index("flow"); ix.Count != before.Count+50 {
		t.Fatalf("count %d after importing 50 into %d", ix.Count, before.Count)
	}

	res = runAction(t, m, typeKeys(m, "D"), "")
	if res.Info != "dropped" {
		t.Fatalf("drop: %+v", res)
	}
	// The listing asks every node at stale_ok, so a follower that has not
	// applied the drop yet may still list the index for a moment.
	for deadline := time.Now().Add(5 * time.Second); len(m.Indexes()) != 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		typeKeys(m, "r")
	}
	if len(m.Indexes()) != 0 || m.Namespace() != "" {
		t.Fatalf("%d indexes listed 5s after the drop (%+v), target %q", len(m.Indexes()), m.Indexes(), m.Namespace())
	}
}

func mustAction(t *testing.T, m *Model, title string) common.Action {
	t.Helper()
	for _, a := range m.Actions() {
		if a.Title == title {
			return a
		}
	}
	t.Fatalf("no action %q", title)
	return common.Action{}
}
