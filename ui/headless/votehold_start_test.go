package headless

import (
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// A held vote in a node's first seconds (it asks its peers whether the
// cluster is new) is not reported as a restart without data.
func TestStatusVoteHoldInTheFirstSeconds(t *testing.T) {
	for _, tc := range []struct {
		uptime time.Duration
		want   string
	}{
		{time.Second, "n2 (127.0.0.1:2) just started: not voting in 2 groups until its peers say whether the cluster is new"},
		{time.Minute, "n2 (127.0.0.1:2) restarted without its data: not voting in 2 groups"},
	} {
		st := &client.NodeStatus{NodeID: "n2", Uptime: tc.uptime, MetaVoteHeld: true, Groups: []client.GroupStatus{{GroupID: 0, VoteHeld: true}}}
		got := nodeProblems(&nodeHealth{ID: "n2", Addr: "127.0.0.1:2"}, st)
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("uptime %v: problems %q, want %q", tc.uptime, got, tc.want)
		}
	}
}
