package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// Found in tmux with the console SIGSTOPped for a minute under load: the
// first sample after SIGCONT spans the minute, so the graph drew every
// second of it with that sample's figures (the few calls made around the
// stop, as if they were the minute's traffic) and ops/s averaged the
// minute in (0.4 for an operation doing 10/s) until it left the window.
// Now the root's SuspendedMsg makes that sample a baseline only: the gap
// is blank and the rate is the seconds measured.
func TestSuspendedGapIsBlankAndNotInTheRate(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(200, 40)
	calls := uint64(0)
	sample := func(at time.Duration) {
		m.Update(common.StatsMsg{At: t0.Add(at), Stats: client.Stats{Ops: map[string]client.OpStats{"get": {Calls: calls}}}})
	}
	for i := 0; i <= 9; i++ {
		sample(time.Duration(i) * time.Second)
		calls += 10
	}
	// Stopped from 9 s to 69 s; 5 calls were made around the stop.
	calls -= 5
	m.Update(common.SuspendedMsg{From: t0.Add(9 * time.Second), To: t0.Add(69 * time.Second)})
	sample(69 * time.Second)
	for i := 70; i <= 71; i++ {
		calls += 10
		sample(time.Duration(i) * time.Second)
	}
	if row := rowOf(m.View(), "get"); !strings.Contains(row, " 10.0 ") {
		t.Errorf("get row after the gap: %q, want 10.0 ops/s", row)
	}
	cols := m.rec.Series("get").PerSecond(120)
	if len(cols) < 62 {
		t.Fatalf("%d columns, want the gap's among them", len(cols))
	}
	for i, c := range cols[len(cols)-60 : len(cols)-3] { // seconds 12 to 68
		if c.Requests != 0 || !c.At.IsZero() {
			t.Fatalf("column %d (second %d) inside the gap drawn as %+v", i, 12+i, c)
		}
	}
}
