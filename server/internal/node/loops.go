package node

import (
	"context"
	"time"
)

// Background work, cheaply.
//
// An idle process costs CPU mostly by waking up: each wake-up of a Go
// process runs the scheduler on two threads (the one that runs the timer
// and sysmon) whatever little work follows. So the node's periodic jobs
// (node heartbeat, topology, cluster id, TTL expiry, balancing) share one
// clock that ticks every NodeHeartbeat on wall-clock multiples of it, the
// same instants the transport flushes coalesced Raft heartbeats on with
// the default timing (transport/heartbeat.go), so those wake-ups coincide.
// Each job runs on its own goroutine, kicked by the clock, so a slow job
// (a leadership transfer, a proposal waiting for a quorum) delays neither
// the clock nor another job; a job still running when its next kick comes
// skips that kick. The election watchdog (watchdog.go) keeps its own timer,
// set to the moment the first follower group would need it.

// job is one periodic task driven by the node's clock.
type job struct {
	every time.Duration
	fn    func(context.Context)
	kick  chan struct{}
	last  time.Time // touched by the clock goroutine only
}

// startLoops starts the clock, its jobs and the watchdog; they stop with ctx.
func (n *Node) startLoops(ctx context.Context) {
	t := n.cfg.Timing
	jobs := []*job{
		{every: t.NodeHeartbeat, fn: n.sendHeartbeat},
		{every: t.NodeHeartbeat, fn: n.health.proposeTopology},
		{every: t.NodeHeartbeat, fn: n.clusterIDLoop()},
		{every: t.NodeHeartbeat, fn: n.voteHoldLoop()},
		{every: t.ExpireEvery, fn: n.expire},
		{every: t.BalanceEvery, fn: n.balance},
		{every: time.Second, fn: n.checkSyncs},       // syncwatch.go
		{every: time.Second, fn: n.checkMetaContact}, // metacontact.go
	}
	for _, j := range jobs {
		j.kick = make(chan struct{}, 1)
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-j.kick:
					j.fn(ctx)
				}
			}
		}()
	}
	n.wg.Add(2)
	go func() {
		defer n.wg.Done()
		n.clock(ctx, t.NodeHeartbeat, jobs)
	}()
	go func() {
		defer n.wg.Done()
		n.watchdog(ctx)
	}()
}

// clock kicks each job once its period has passed, ticking every step on
// wall-clock multiples of step.
func (n *Node) clock(ctx context.Context, step time.Duration, jobs []*job) {
	timer := time.NewTimer(untilNextMultiple(time.Now(), step))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		now := time.Now()
		for _, j := range jobs {
			// Half a step of slack: a tick that fires a little early
			// still runs a job whose period is a multiple of the step.
			if now.Sub(j.last) >= j.every-step/2 {
				j.last = now
				select {
				case j.kick <- struct{}{}:
				default: // still running from its last kick
				}
			}
		}
		timer.Reset(untilNextMultiple(time.Now(), step))
	}
}

// untilNextMultiple is the time from now to the next wall-clock multiple
// of step (a whole step if now is one).
func untilNextMultiple(now time.Time, step time.Duration) time.Duration {
	if step <= 0 {
		return time.Millisecond
	}
	return now.Truncate(step).Add(step).Sub(now)
}
