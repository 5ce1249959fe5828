package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// TestShardCountChangeUnderARunningConsole: the cluster under a running
// console is stopped and another started on the same ports with 16 shards
// instead of 64. Before, only the Keys pane's listing error told (and the
// console kept routing by 64). Now the status line says so: with the count
// taken from the cluster the console routes by the new one and lists keys;
// with a count the user set, it says that keys hash to other shards and
// what to restart with.
func TestShardCountChangeUnderARunningConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two real clusters")
	}
	for _, tc := range []struct {
		name  string
		adopt bool
		said  string
	}{
		{"the count taken from the cluster", true, "the cluster now has 16 shards (it had 64): keys are routed by 16 now"},
		{"the count set by the user", false, "the cluster now has 16 shards (it had 64), but the console was started with 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := freeBasePort(t)
			old := startClusterOf(t, base, 2)
			oldClosed := false
			t.Cleanup(func() {
				if !oldClosed {
					_ = old.Close()
				}
			})
			m, d, c := consoleWith(t, client.Config{Nodes: old.Addrs(), TotalShards: 64, AdoptShardCount: tc.adopt, Timeout: 2 * time.Second}, nil)
			d.until("connected", 30*time.Second, func() bool { return m.ConnState() == StateConnected })
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}
			oldClosed = true
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			fresh, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 16, Groups: 2, BasePort: base})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = fresh.Close() })
			d.until("the new count said", 60*time.Second, func() bool {
				for _, e := range m.Messages() {
					if strings.Contains(e.Text, tc.said) {
						return true
					}
				}
				return false
			})
			// The restart is also a replacement, said at the same moment:
			// the status line keeps the count (it showed the replacement).
			if s := m.StatusMessage(); !strings.Contains(s, tc.said) {
				t.Fatalf("status line %q, want %q", s, tc.said)
			}
			if !tc.adopt {
				if s := m.StatusMessage(); !strings.Contains(s, "restart with --shards 16") {
					t.Fatalf("status line %q does not say what to do", s)
				}
				return
			}
			if n := c.Config().TotalShards; n != 16 {
				t.Fatalf("console routes by %d shards, want 16", n)
			}
			putAndList(ctx, d, c, "the new cluster's keys listed", "new:1", "new:2", "new:3")
		})
	}
}
