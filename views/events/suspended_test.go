package events

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// Found in tmux with the console SIGSTOPped while n3 was killed and
// started again: on SIGCONT the timeline read 'epoch 19 -> 28 (no visible
// change)' between entries stamped before and after the gap, with nothing
// saying the console had not watched meanwhile. The root's SuspendedMsg
// now puts the gap in the timeline, before what came after it.
func TestSuspensionIsInTheTimeline(t *testing.T) {
	m := New(uitest.Common())
	m.SetSize(160, 10)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(19, 3, 1024, 16)})
	resumed := t0.Add(62 * time.Second)
	m.Update(common.SuspendedMsg{From: t0.Add(2 * time.Second), To: resumed})
	m.Update(common.TopologyMsg{At: resumed, View: uitest.View(28, 3, 1024, 16),
		Event: &client.TopologyEvent{PreviousEpoch: 19, CurrentEpoch: 28}})
	v := m.View()
	gap := strings.Index(v, "the console did not run 03:04:07 to 03:05:07 (1m0s): changes meanwhile come as one (epoch 19 before, 19 now)")
	after := strings.Index(v, "epoch 19 -> 28")
	if gap < 0 || after < 0 || after > gap {
		t.Fatalf("want the gap noted, under the change after it (newest first):\n%s", v)
	}
	// In tmux the view after the gap came first (the watch read it before
	// the late tick): the note still names the epoch before the gap.
	m = New(uitest.Common())
	m.SetSize(160, 10)
	m.Update(common.TopologyMsg{At: t0, View: uitest.View(46, 3, 1024, 16)})
	m.Update(common.TopologyMsg{At: resumed, View: uitest.View(72, 3, 1024, 16),
		Event: &client.TopologyEvent{PreviousEpoch: 46, CurrentEpoch: 72}})
	m.Update(common.SuspendedMsg{From: t0.Add(2 * time.Second), To: resumed.Add(time.Second)})
	if v := m.View(); !strings.Contains(v, "(epoch 46 before, 72 now)") {
		t.Fatalf("want the epochs on both sides of the gap:\n%s", v)
	}
}
