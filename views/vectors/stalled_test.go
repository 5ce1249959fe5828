package vectors

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/client"
)

// TestSearchAcrossAStopIsNoLatencySample: a search whose round trip ran
// across a stop of the console (SIGSTOP, Ctrl-Z, a paused VM; searchCmd
// asks client.RanAcrossStall) measured the stop: 3 s in the round-trip
// sparkline and its p99, a spike the cluster never had. Its result is
// shown, its round trip said to be no latency sample, and the history is
// left as it was.
func TestSearchAcrossAStopIsNoLatencySample(t *testing.T) {
	m := fed(220, 40)
	before := m.Samples("docs")
	req := m.result.req
	m.Update(searchMsg{reqID: m.searchReq, req: req, at: t0, query: req.query, rtt: 3 * time.Second, stalled: true,
		res: &client.VectorSearchResult{Matches: matches(10), SearchTimeUs: 180}})
	if got := m.Samples("docs"); got != before {
		t.Fatalf("samples %d after a search across a stop, want %d: its 3 s round trip is the stop's", got, before)
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "round trip 3.0s (ran across a stop of the console: not a latency sample)") {
		t.Errorf("the result does not say its round trip is the stop's:\n%s", v)
	}
	if strings.Contains(v, "p99 3.0s") {
		t.Errorf("the stop shows in the round-trip p99:\n%s", v)
	}
}
