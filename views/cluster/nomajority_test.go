package cluster

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestLeaderlessGroupWithoutAMajoritySaysSo: found in tmux with two of
// three serve nodes stopped (SIGSTOP): the groups without a leader read
// "election in progress" although no election could end. With one of the
// three silent the election is on; with two, the row says no majority
// answers and which replicas are silent.
func TestLeaderlessGroupWithoutAMajoritySaysSo(t *testing.T) {
	for _, tc := range []struct {
		silent []string
		want   string
	}{
		{[]string{"n1"}, "election in progress"},
		{[]string{"n1", "n2"}, "no leader; n1, n2 do not answer (a leader needs 2 of 3)"},
	} {
		m := New(uitest.Common())
		m.SetSize(120, 40)
		v := leaderlessView()
		m.Update(common.TopologyMsg{At: t0, View: v})
		for _, id := range []string{"n1", "n2", "n3"} {
			msg := common.NodeStatusMsg{At: t0, NodeID: id, RTT: time.Millisecond}
			if strings.Contains(strings.Join(tc.silent, " "), id) {
				msg.Err = errors.New("context deadline exceeded")
			} else {
				msg.Status = statusOf(id, 64, 1, 5)
				msg.Status.Groups[0].State = "follower"
			}
			m.Update(msg)
		}
		got := m.View()
		if !strings.Contains(got, tc.want) || len(tc.silent) > 1 && strings.Contains(got, "election in progress") {
			t.Errorf("%v silent: want %q:\n%s", tc.silent, tc.want, got)
		}
	}
}
