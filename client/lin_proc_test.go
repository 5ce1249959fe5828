//go:build unix

package client_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/proccluster"
)

// TestLinearizabilityProcessPause runs the linearizability check against
// real `serve` processes, where a pause is a real SIGSTOP: the paused leader
// keeps its sockets open, its clock jumps when it is continued, and it may
// answer reads from the clients that waited on it before it learns it was
// replaced. Faults: pause the leader, pause a follower, kill the leader and
// restart it from its data.
func TestLinearizabilityProcessPause(t *testing.T) {
	plan := linPlanFor()
	plan.duration = min(plan.duration, 15*time.Second)
	if *linSoakFlag > 0 {
		plan.duration = *linSoakFlag
	}
	c := proccluster.Start(t, proccluster.Options{})
	linRun(t, plan, &linProcs{c: c, t: t}, c.Addrs(), 1024, 16)
}

// linProcs is a cluster of `serve` processes. Its methods run on the test
// goroutine (the fault schedule's), so proccluster may fail the test.
type linProcs struct {
	c *proccluster.Cluster
	t testing.TB
}

func (p *linProcs) nodeIDs() []string            { return p.c.IDs() }
func (p *linProcs) leaderOf(shard uint32) string { return p.c.LeaderOf(p.t, int(shard)) }
func (p *linProcs) kinds() []string {
	return []string{
		"pause-leader",   // SIGSTOP the key's leader, SIGCONT after the hold
		"pause-follower", // SIGSTOP a follower of the key's group
		"kill-leader",    // SIGKILL the leader, restart it from its data after the hold
	}
}

func (p *linProcs) inject(ctx context.Context, kind string, shard uint32, leader string, hold time.Duration, rng *rand.Rand) (string, string, error) {
	switch kind {
	case "pause-leader", "pause-follower":
		target := leader
		if kind == "pause-follower" {
			others := linOthers(p.c.IDs(), leader)
			target = others[rng.IntN(len(others))]
		}
		p.c.Pause(p.t, target)
		linSleep(ctx, hold)
		p.c.Resume(p.t, target)
		return fmt.Sprintf("%s %s (shard %d, leader %s)", kind, target, shard, leader), "", nil
	case "kill-leader":
		p.c.Kill(p.t, leader)
		linSleep(ctx, hold)
		p.c.Restart(p.t, leader)
		return fmt.Sprintf("kill-leader %s (shard %d)", leader, shard), "", nil
	}
	return "", "", fmt.Errorf("unknown fault %q", kind)
}
