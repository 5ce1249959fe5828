package events

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestVoteHoldInTheFirstSecondsIsNotNoted: polls within StartProbeWindow
// of a node's start that find its vote held (it asks its peers whether the
// cluster is new; every member of a new cluster does) note nothing; a hold
// still there past the window is noted once as lost data.
func TestVoteHoldInTheFirstSecondsIsNotNoted(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(120, 20)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(7, 3, 64, 4)})
	poll := func(uptime time.Duration, held int) {
		st := holdStatus("n2", held)
		st.Uptime = uptime
		m.Update(common.NodeStatusMsg{At: t0.Add(uptime), NodeID: "n2", Status: st, RTT: time.Millisecond})
	}
	poll(500*time.Millisecond, 4)
	poll(1500*time.Millisecond, 4)
	poll(2500*time.Millisecond, 0) // the peers said the cluster is new
	if v := m.View(); strings.Contains(v, "restarted without data") || strings.Contains(v, "caught up") {
		t.Fatalf("a new member's first seconds noted:\n%s", v)
	}
	poll(time.Second, 4) // started again, wiped
	poll(6*time.Second, 4)
	poll(9*time.Second, 4)
	if n := strings.Count(m.View(), "n2 holds its vote in 4 groups (restarted without data)"); n != 1 {
		t.Fatalf("a hold past the window noted %d times, want once:\n%s", n, m.View())
	}
}
