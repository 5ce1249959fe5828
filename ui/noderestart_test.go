package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui/common"
)

// TestPaletteRestartOfARunningNode: on the embedded cluster, the palette's
// "Restart node n2" on a running node stops it and starts it again, the
// status line showing each step ("◌ restart node n2: stopping…", then
// "starting…") and then the result; while it runs, stopping or restarting
// n2 again is refused with the step it is at. Before, it said "already
// running" and did nothing.
func TestPaletteRestartOfARunningNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	m, d, _ := consoleWith(t, client.Config{Nodes: cl.Addrs(), TotalShards: 64, Timeout: 2 * time.Second}, cl)
	d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected })

	restart := actionTitled(t, m, "Restart node n2")
	if restart.Disabled != nil {
		t.Fatalf("restart refused before it ran: %v", restart.Disabled)
	}
	d.run(restart.Run(""))
	var seen []string
	var refusedWhileRunning error
	d.until("the restart's result", 90*time.Second, func() bool {
		line := strings.TrimSpace(ansi.Strip(m.statusLine()))
		if len(seen) == 0 || seen[len(seen)-1] != line {
			seen = append(seen, line)
		}
		if len(m.progress) > 0 && refusedWhileRunning == nil {
			refusedWhileRunning = actionTitled(t, m, "Stop node n2").Disabled
		}
		return m.lastOp == "restart node n2"
	})
	all := strings.Join(seen, "\n")
	for _, want := range []string{"◌ restart node n2: stopping…", "◌ restart node n2: stopped; starting, waiting for its groups to find leaders…",
		"✓ restart node n2: stopped and started again, node rejoined"} {
		if !strings.Contains(all, want) {
			t.Errorf("status line never read %q; it read:\n%s", want, all)
		}
	}
	if m.lastErr != nil {
		t.Errorf("restart failed: %v", m.lastErr)
	}
	if !cl.Running("n2") {
		t.Error("n2 is not running after the restart")
	}
	if refusedWhileRunning == nil || !strings.Contains(refusedWhileRunning.Error(), "restart node n2 is under way") {
		t.Errorf("stop node n2 during its restart: refusal %v", refusedWhileRunning)
	}
	if a := actionTitled(t, m, "Stop node n2"); a.Disabled != nil {
		t.Errorf("stop node n2 after the restart still refused: %v", a.Disabled)
	}
}

func actionTitled(t *testing.T, m *Model, title string) common.Action {
	t.Helper()
	for _, a := range m.actions() {
		if a.Title == title {
			return a
		}
	}
	t.Fatalf("no palette action %q", title)
	return common.Action{}
}
