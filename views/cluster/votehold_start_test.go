package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// holdingSince is holdingPane with n2's report giving its uptime.
func holdingSince(w, h int, uptime time.Duration) *Model {
	m := holdingPane(w, h, true)
	st := statusOf("n2", 64, 4, 5)
	st.MetaVoteHeld, st.Uptime = true, uptime
	for i := range st.Groups {
		st.Groups[i].State, st.Groups[i].VoteHeld, st.Groups[i].AppliedIndex = "follower", true, 4
	}
	m.Update(common.NodeStatusMsg{At: t0, NodeID: "n2", RTT: time.Millisecond, Status: st})
	return m
}

// TestVoteHoldInTheFirstSecondsIsNotLostData: a node that starts without
// data holds its vote while it asks its peers whether they hold a cluster
// (at most 3 s); every member of a new cluster does. A poll in that window
// read "n2 restarted without data". Now, within StartProbeWindow of the
// node's start (its report's uptime), the pane says it just started; past
// it, a hold is lost data as before.
func TestVoteHoldInTheFirstSecondsIsNotLostData(t *testing.T) {
	for _, sz := range append([][2]int{{40, 12}, {60, 24}, {120, 40}}, uitest.Sizes...) {
		v := holdingSince(sz[0], sz[1], 800*time.Millisecond).View()
		uitest.RequireSize(t, v, sz[0], sz[1])
		if strings.Contains(v, "restarted without data") || strings.Contains(v, "no data, not voting in") || strings.Contains(v, "catching up") {
			t.Errorf("%dx%d: a node 0.8 s after its start is said to have lost its data:\n%s", sz[0], sz[1], v)
		}
		if sz[0] >= MinWidth && sz[1] >= MinHeight && !strings.Contains(v, "n2 just started: not voting until its peers say whether the cluster is new") &&
			!strings.Contains(v, "n2: starting, not voting yet") {
			t.Errorf("%dx%d: the start is not said:\n%s", sz[0], sz[1], v)
		}
	}
	if v := holdingSince(120, 40, 800*time.Millisecond).View(); !strings.Contains(v, "n2 starting, not voting") {
		t.Errorf("no group row marks n2 as starting:\n%s", v)
	}
	if v := holdingSince(120, 40, 30*time.Second).View(); !strings.Contains(v, "n2 restarted without data: not voting in 4 groups until caught up") {
		t.Errorf("a hold 30 s after the start is not said as lost data:\n%s", v)
	}
}
