package common

import (
	"fmt"
	"time"

	"github.com/norikv/norikv-console/client"
)

// VoteHold is what a node's own status report says about the vote it
// holds: a node restarted without its data neither votes nor campaigns in
// a group until it has caught up there (README "A node restarted without
// its data").
type VoteHold struct {
	Groups int  // data groups in which it holds its vote
	Meta   bool // it holds it in the metadata group too
	// Starting: the node holds its vote within StartProbeWindow of its
	// start, while it may still be asking its peers whether they hold a
	// cluster. A member of a new cluster holds its vote then too, so the
	// hold does not yet mean that it restarted without data.
	Starting bool
}

// StartProbeWindow is how long after its start a node's vote hold may be
// its question to the peers rather than lost data: a node that starts
// without data holds its vote while it asks them, at most 3 s (the
// server's peerProbeTimeout), and opens its groups a moment after it
// starts.
const StartProbeWindow = 4 * time.Second

// VoteHoldOf reads the hold from a node's status report.
func VoteHoldOf(st *client.NodeStatus) VoteHold {
	if st == nil {
		return VoteHold{}
	}
	h := VoteHold{Meta: st.MetaVoteHeld}
	for _, g := range st.Groups {
		if g.VoteHeld {
			h.Groups++
		}
	}
	h.Starting = h.Held() && st.Uptime > 0 && st.Uptime < StartProbeWindow
	return h
}

// Held reports whether the node holds its vote anywhere.
func (h VoteHold) Held() bool { return h.Groups > 0 || h.Meta }

// Where says where the vote is held: "4 groups", "1 group", or "the
// metadata group" when that is the only one.
func (h VoteHold) Where() string {
	switch {
	case h.Groups == 1:
		return "1 group"
	case h.Groups > 1:
		return fmt.Sprintf("%d groups", h.Groups)
	}
	return "the metadata group"
}
