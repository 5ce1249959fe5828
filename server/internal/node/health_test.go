package node

import (
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/meta"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestHealthHysteresis: a node silent for less than SuspectAfter stays
// alive, and one that was suspect turns alive only after heartbeating
// steadily for RecoverAfter, so a node that keeps stalling does not flap
// (each flap is a new epoch).
func TestHealthHysteresis(t *testing.T) {
	l := topology.Layout{TotalShards: 8, Groups: 2, Nodes: []topology.Node{{ID: "n1"}, {ID: "n2"}, {ID: "n3"}}}
	tm := DefaultTiming()
	h := newHealthTracker(&Node{cfg: Config{Layout: l, Timing: tm}})
	now := time.Now()
	for _, nd := range l.Nodes {
		h.lastSeen[nd.ID] = now
	}
	alive := map[string]string{"n1": meta.Alive, "n2": meta.Alive, "n3": meta.Alive}
	if got := h.computeLocked(now.Add(1200*time.Millisecond), alive).Health["n1"]; got != meta.Alive {
		t.Fatalf("after a 1.2 s stall n1 is %s, want alive", got)
	}
	// n1 was silent long enough to be suspect, then heartbeats again.
	h.lastSeen["n1"] = time.Now().Add(-tm.SuspectAfter - 100*time.Millisecond)
	h.record(heartbeat{Node: "n1"})
	back := time.Now()
	suspect := map[string]string{"n1": meta.Suspect, "n2": meta.Alive, "n3": meta.Alive}
	if got := h.computeLocked(back.Add(100*time.Millisecond), suspect).Health["n1"]; got != meta.Suspect {
		t.Fatalf("n1 just back after a gap is %s, want suspect until it has been steady", got)
	}
	h.lastSeen["n1"] = back.Add(tm.RecoverAfter)
	if got := h.computeLocked(back.Add(tm.RecoverAfter+50*time.Millisecond), suspect).Health["n1"]; got != meta.Alive {
		t.Fatalf("n1 steady for %v is %s, want alive", tm.RecoverAfter, got)
	}
}
