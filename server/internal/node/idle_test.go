package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/node"
)

// TestIdleClusterWork bounds what an idle cluster sends (issue 13: idle
// CPU is wake-ups, and most wake-ups are messages): Raft heartbeats
// coalesced, one frame per peer and grid step, idle commit index re-sends skipped,
// node heartbeats only every NodeHeartbeatIdle. Counts over a window,
// bounded from above; a window a loaded machine spoils is measured again.
func TestIdleClusterWork(t *testing.T) {
	_, nodes := testNodes(t, 3) // 4 groups of 3 replicas and the metadata group
	tm := node.DefaultTiming()
	terms := func() (sum uint64) {
		for _, x := range nodes {
			for _, st := range x.Status() {
				sum += st.Term
			}
		}
		return sum
	}
	work := func() (w node.IdleWork) {
		for _, x := range nodes {
			s := x.IdleWork()
			w.Heartbeats += s.Heartbeats
			w.Frames += s.Frames
			w.ResendsSkipped += s.ResendsSkipped
			w.ResendsSent += s.ResendsSent
			w.NodeHeartbeats += s.NodeHeartbeats
		}
		return w
	}
	time.Sleep(3 * time.Second) // leadership spread, groups on the beat
	const groupPeers, pairs = 5 * 2, 3 * 2
	var problems []string
	for attempt := 1; attempt <= 3; attempt++ {
		t0, w0, start := terms(), work(), time.Now()
		time.Sleep(4 * time.Second)
		w1, secs := work(), time.Since(start).Seconds()
		if terms() != t0 {
			problems = append(problems[:0], "a leader changed in the window")
			continue
		}
		hbs, frames := w1.Heartbeats-w0.Heartbeats, w1.Frames-w0.Frames
		skipped, sent := w1.ResendsSkipped-w0.ResendsSkipped, w1.ResendsSent-w0.ResendsSent
		nodeHBs := w1.NodeHeartbeats - w0.NodeHeartbeats
		t.Logf("%.1f s: %d Raft heartbeats in %d frames, commit re-sends %d skipped / %d sent, %d node heartbeats",
			secs, hbs, frames, skipped, sent, nodeHBs)
		problems = problems[:0]
		steps := secs / (tm.HeartbeatTimeout * 13 / 120).Seconds()
		if r, limit := float64(hbs)/secs/groupPeers, (steps+2)/secs; r > limit {
			problems = append(problems, fmt.Sprintf("%.2f Raft heartbeats/s per group and follower, want at most %.1f (one per grid step)", r, limit))
		}
		if limit := pairs * (steps + 2); float64(frames) > limit {
			problems = append(problems, fmt.Sprintf("%d heartbeat frames, want at most %.0f", frames, limit))
		}
		if skipped == 0 || sent > skipped {
			problems = append(problems, fmt.Sprintf("commit index re-sends: %d skipped, %d sent; want most skipped while idle", skipped, sent))
		}
		// Two nodes send to the metadata leader, each every 390 ms.
		if limit := 2 * (secs/(tm.NodeHeartbeatIdle-tm.NodeHeartbeat/2).Seconds() + 1); float64(nodeHBs) > limit {
			problems = append(problems, fmt.Sprintf("%d node heartbeats sent, want at most %.0f", nodeHBs, limit))
		}
		if len(problems) == 0 {
			return
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
}
