//go:build linux

package proccluster

import "testing"

// TestPauseReturnsOnceStopped pauses and resumes a node again and again
// with CPU burners beside it and checks, the moment Pause returns, that no
// thread of the node still runs. Before, Pause returned once SIGSTOP was
// queued; on a busy machine the node went on answering requests for a while
// (a read "of the hung leader" served by it).
func TestPauseReturnsOnceStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	c := Start(t, Options{Groups: 2, Shards: 16})
	stop := c.Burn(t, 4)
	defer stop()
	for i := range 30 {
		c.Pause(t, "n2")
		running, err := runningThreads(c.Proc("n2").Pid)
		if err != nil {
			t.Fatal(err)
		}
		if running != 0 {
			t.Fatalf("pause %d: %d threads of n2 still running when Pause returned", i+1, running)
		}
		c.Resume(t, "n2")
	}
}
