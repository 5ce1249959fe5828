//go:build unix

package proccluster

import (
	"regexp"
	"testing"
	"time"
)

// TestKilledNodeKnowsHowLongItWasDown: a node killed with SIGKILL writes no
// last note of when it ran, so the note it kept while running (every
// 100 ms, server/internal/node/restarthold.go) must tell its restart how
// long it was down: a restart right after the kill holds the node's vote
// until a heartbeat timeout after it last ran. The node first runs for 6 s,
// so a note written only at its start would read "down" 6 s or more.
func TestKilledNodeKnowsHowLongItWasDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills one")
	}
	c := Start(t, Options{Shards: wipeShards, Groups: wipeGroups})
	id := c.IDs()[1]
	time.Sleep(6 * time.Second)
	from := len(c.Log(t, id))
	began := time.Now()
	c.Kill(t, id)
	c.Restart(t, id)
	took := time.Since(began)
	log := c.Log(t, id)[from:]
	m := regexp.MustCompile(`restarted with its data \(it was down (at most )?([0-9.]+(?:ns|µs|ms|s))\): (not voting or campaigning|voting at once)`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("%s's log after its restart says nothing of how long it was down:\n%s", id, log)
	}
	down, err := time.ParseDuration(m[2])
	if err != nil {
		t.Fatalf("reported down time %q: %v", m[2], err)
	}
	t.Logf("killed and restarted in %v; %s says it was down %s%v and is %s", took.Round(time.Millisecond), id, m[1], down, m[3])
	if down > took+2500*time.Millisecond {
		t.Fatalf("%s says it was down %v though its kill and restart took %v: its note was not kept current while it ran", id, down, took)
	}
	if held := m[3] == "not voting or campaigning"; held != (m[1] != "") {
		t.Fatalf("%s: 'down %s%v' and %q disagree", id, m[1], down, m[3])
	}
}
