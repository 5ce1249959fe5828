package stats

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sample returns client counters after n seconds of a steady workload.
func sample(n uint64) client.Stats {
	return client.Stats{
		Pool:     client.PoolStats{ActiveConnections: 3, Dials: 3, Addrs: []string{"127.0.0.1:7447"}},
		Router:   client.RouterStats{TotalNodes: 3, TotalShards: 1024, SeedNodes: 3},
		Topology: client.TopologyStats{Epoch: 12, ViewsReceived: 6, CachedLeaders: 1024, WatchNode: "127.0.0.1:7447"},
		Requests: client.RequestStats{Calls: 30 * n, Errors: n, Retries: 2 * n, Redirects: n, ErrorsByCode: map[string]uint64{"NotFound": n}},
		Ops: map[string]client.OpStats{
			"get":           {Calls: 20 * n, Errors: n, Redirects: n},
			"put":           {Calls: 10 * n, Retries: 2 * n},
			"delete":        {},
			"vector search": {},
		},
	}
}

func fed(w, h int) *Model {
	m := New(uitest.Common())
	m.SetSize(w, h)
	for i := uint64(0); i < 5; i++ {
		m.Update(common.StatsMsg{At: t0.Add(time.Duration(i) * time.Second), Stats: sample(i)})
	}
	return m
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			golden.RequireEqual(t, []byte(fed(sz[0], sz[1]).View()))
		})
	}
}

func TestRatesSelectionAndShowAll(t *testing.T) {
	m := fed(80, 24)
	if got := strings.Join(m.ops, ","); got != "get,put" {
		t.Fatalf("ops shown = %s, want get,put (idle ones hidden)", got)
	}
	if p, ok := m.rec.Series("get").Latest(); !ok || p.OpsPerSec != 20 {
		t.Fatalf("get rate = %+v", p)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyDown})
	if m.Selected() != "put" {
		t.Fatalf("selected = %q, want put", m.Selected())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	if len(m.ops) != 4 || m.Selected() != "put" {
		t.Fatalf("show all: ops %v, selected %q", m.ops, m.Selected())
	}
	m.SetFilter("vec")
	if len(m.ops) != 1 || m.ops[0] != "vector search" {
		t.Fatalf("filter: %v", m.ops)
	}
	if v := m.View(); !strings.Contains(v, "NotFound 4") || !strings.Contains(v, "1024 leaders cached") {
		t.Errorf("footer missing errors or topology:\n%s", v)
	}
}

func TestExactSizeAtEverySize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		empty := New(uitest.Common())
		empty.SetSize(sz[0], sz[1])
		uitest.RequireSize(t, empty.View(), sz[0], sz[1])
		uitest.RequireSize(t, fed(sz[0], sz[1]).View(), sz[0], sz[1])
	}
}
