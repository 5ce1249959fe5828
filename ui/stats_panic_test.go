package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// statsSeconds feeds the root one stats sample per second; calls[op][i] is how
// many op requests completed in second i.
func statsSeconds(m *Model, calls map[string][]uint64) {
	n := 0
	for _, c := range calls {
		n = max(n, len(c))
	}
	total := map[string]uint64{}
	for i := 0; i < n; i++ {
		s := client.Stats{Ops: map[string]client.OpStats{}}
		for op, c := range calls {
			if i < len(c) {
				total[op] += c[i]
			}
			s.Ops[op] = client.OpStats{Calls: total[op]}
		}
		send(m, common.StatsMsg{At: t0.Add(time.Duration(i) * time.Second), Stats: s})
	}
}

// The two key sequences that crashed the console from the Stats pane
// (an interpolated graph of a series with idle seconds).
func TestStatsPaneSparseSeriesThroughTheRoot(t *testing.T) {
	t.Run("wait 20s, 3, k", func(t *testing.T) {
		m := newRoot(t, 80, 24)
		statsSeconds(m, map[string][]uint64{
			"vector insert": append([]uint64{0, 400, 400, 400}, make([]uint64, 17)...),
			"get":           {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
			"put":           {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		})
		send(m, press("3"))
		requireStatsShown(t, m)
		send(m, press("k"))
		requireStatsShown(t, m)
		send(m, press("j"))
		send(m, press("j"))
		requireStatsShown(t, m)
	})
	t.Run("put one key, wait 4s, 3", func(t *testing.T) {
		m := newRoot(t, 80, 24)
		statsSeconds(m, map[string][]uint64{"put": {0, 0, 1, 0, 0, 0, 0}})
		send(m, press("3"))
		v := requireStatsShown(t, m)
		if !strings.Contains(v, "LATENCY put") {
			t.Fatalf("the put latency graph is missing:\n%s", v)
		}
	})
}

func requireStatsShown(t *testing.T, m *Model) string {
	t.Helper()
	if m.Active().Title() != "Stats" {
		t.Fatalf("active pane is %s, want Stats", m.Active().Title())
	}
	v := m.View()
	if strings.Contains(v, "pane failed") || !strings.Contains(v, "OPERATION") {
		t.Fatalf("the stats pane did not draw:\n%s", v)
	}
	return v
}
