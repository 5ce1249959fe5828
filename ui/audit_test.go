package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestPalettePutIsAuditedInFull: a put from the palette on a real cluster
// lands in audit.jsonl with its key, the idempotency key it carried and the
// version it wrote, which a read confirms.
func TestPalettePutIsAuditedInFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	cl := startCluster(t, 0)
	t.Cleanup(func() { _ = cl.Close() })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 64, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	com := uitest.Common()
	com.Client, com.TotalShards = c, 64
	m, err := New(Options{Common: com, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	send(m, common.TopologyMsg{At: t0, View: c.ClusterView()})
	send(m, press(":"))
	typeText(m, "put key")
	send(m, press("enter"))
	typeText(m, "audit:1=hello")
	send(m, press("enter"))
	send(m, press("y"))
	if m.LastError() != nil || !strings.Contains(m.StatusMessage(), "written, version") {
		t.Fatalf("put: %v %q", m.LastError(), m.StatusMessage())
	}
	// The panes' writes go through the backend the root gave them, which
	// audits them too.
	if _, err := m.common.Backend().Delete(ctx, []byte("audit:2"), nil); err != nil {
		t.Fatal(err)
	}
	path := j.AuditPath()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"op":"delete","key":"audit:2"`) {
		t.Fatalf("want the put and the pane backend's delete:\n%s", data)
	}
	var r journal.Record
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	got, err := c.Get(ctx, []byte("audit:1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := journal.Record{Op: "put", Key: "audit:1", Result: "ok", VersionAfter: fmtVersion(got.Version)}
	if r.Op != want.Op || r.Key != want.Key || r.Result != want.Result || r.VersionAfter != want.VersionAfter ||
		!strings.HasPrefix(r.IdempotencyKey, "console-") || r.LatencyMS <= 0 {
		t.Fatalf("audit record %+v, want %+v with an idempotency key and a latency", r, want)
	}
}

func fmtVersion(v client.Version) string { return fmt.Sprintf("%d/%d", v.Term, v.Index) }
