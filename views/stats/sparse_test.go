package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// An operation called every other second (the node status poll, a refresh
// every 5 s) at a steady rate shows that rate: ops/s is averaged over the
// last seconds, not the last one alone, which flickered 0.0, 1.0, 0.0 …
func TestSparseSeriesShowsItsSteadyRate(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(100, 30)
	calls := uint64(0)
	for i := 0; i < 16; i++ {
		if i%2 == 1 {
			calls++
		}
		m.Update(common.StatsMsg{At: t0.Add(time.Duration(i) * time.Second),
			Stats: client.Stats{Ops: map[string]client.OpStats{"node status": {Calls: calls}}}})
		if i < 11 {
			continue // the average needs a few seconds
		}
		if row := rowOf(m.View(), "node status"); !strings.Contains(row, " 0.5 ") {
			t.Fatalf("second %d: %q, want 0.5 ops/s", i, row)
		}
	}
}

func rowOf(view, op string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, op) {
			return l
		}
	}
	return ""
}

// At a 5 s refresh (":refresh 5s") each sample spans five seconds: the
// graph still draws one column per second, so "last N s" is true, and the
// wide rows' sparklines likewise.
func TestGraphIsPerSecondAtA5sRefresh(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(200, 40)
	for i := 0; i <= 12; i++ { // a minute of samples, 5 s apart
		n := uint64(i * 50)
		m.Update(common.StatsMsg{At: t0.Add(time.Duration(5*i) * time.Second),
			Stats: client.Stats{Ops: map[string]client.OpStats{"get": {Calls: n}}}})
	}
	v := m.View()
	if !strings.Contains(v, "one column per second, last 56 s") && !strings.Contains(v, "one column per second, last 60 s") {
		t.Fatalf("a minute of 5 s samples drawn as:\n%s", v)
	}
	if row := rowOf(v, "get"); !strings.Contains(row, " 10.0 ") {
		t.Fatalf("get row: %q, want 10.0 ops/s", row)
	}
}
