//go:build linux

package proccluster

import (
	"testing"
	"time"
)

// Two of three nodes lost their data (wiped and started again) while the
// third kept it: both hold their votes until they have caught up with a
// leader, and only the holder votes, so no group elects one. The recovery
// README gives: start ONE of the wiped nodes again with --vote-hold=false
// (the holder running). It votes for the holder, whose log is longer, and
// cannot win itself (the holder refuses it, the other wiped one holds);
// the other catches up and votes again; the holder's writes survive.
func TestTwoWipedOfThreeRecoverWithOneVoteHoldOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: wipeShards, Groups: wipeGroups})
	conns := dialAll(t, c)
	key := []byte("kept-by-the-holder")
	putOnLeader(t, c, conns, key, "X")
	holder := waitLeader(t, c, 0)
	var wiped []string
	for _, id := range c.IDs() {
		if id != holder {
			wiped = append(wiped, id)
		}
	}
	from := map[string]int{}
	hfrom := len(c.Log(t, holder))
	for _, id := range wiped {
		c.Kill(t, id)
		c.Wipe(t, id)
	}
	// The holder alone steps down and says it hears no metadata leader
	// (else the wiped ones catch up with it at once): the down time of a
	// real replacement.
	waitLog(t, c, holder, hfrom, "cut off from the cluster")
	// One after the other, the first paused while the second asks: each
	// hears only the holder name the cluster. (A wiped node that asks the
	// other one first hears "no cluster", takes the cluster for new and
	// votes, and the holder is elected without help: the race this avoids.)
	for i, id := range wiped {
		from[id] = len(c.Log(t, id))
		c.Launch(t, id)
		waitLog(t, c, id, from[id], "not voting in any group until it has caught up")
		if i == 0 {
			c.Pause(t, id)
		}
	}
	c.Resume(t, wiped[0])
	time.Sleep(3 * time.Second)
	for _, id := range wiped {
		if c.IsReady(id) {
			t.Fatalf("%s is ready: a group elected a leader with two of three voters holding", id)
		}
	}

	c.Kill(t, wiped[0])
	c.LaunchWith(t, wiped[0], "--vote-hold=false")
	for _, id := range wiped {
		c.WaitReady(t, id)
	}
	waitLog(t, c, wiped[1], from[wiped[1]], "caught up: voting again")
	if got := readX(t, c, conns, key); got != "X" {
		t.Fatalf("after the recovery %s = %q, want the holder's \"X\"", key, got)
	}
}
