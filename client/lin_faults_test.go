package client_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/norikv/norikv-console/server/cluster"
)

// The fault schedule of the linearizability check. Faults run one at a time
// against the groups of the workload's keys; each is undone before the next.
// A linTarget says which faults a cluster can take and injects them.
type linTarget interface {
	nodeIDs() []string
	leaderOf(shard uint32) string
	kinds() []string
	// inject applies fault kind to shard's group (led by leader), holds it
	// for hold, undoes it (even when ctx is done: the cluster must be whole
	// at the end) and describes it. skip says why a fault could not be
	// injected; err is a fault that could not be undone.
	inject(ctx context.Context, kind string, shard uint32, leader string, hold time.Duration, rng *rand.Rand) (what, skip string, err error)
}

// linInProc is the in-process cluster. It cannot freeze a node the way
// SIGSTOP does, so a process pause is approximated by "isolate-leader":
// every replication link of the leader is cut while clients still reach it.
// Like a paused leader, it keeps believing it leads until its lease runs out
// while the others elect a new leader, and it still answers the clients.
// (TestLinearizabilityProcessPause pauses real processes.)
type linInProc struct{ cl *cluster.Cluster }

func (p linInProc) nodeIDs() []string            { return p.cl.NodeIDs() }
func (p linInProc) leaderOf(shard uint32) string { return p.cl.LeaderOf(shard) }
func (p linInProc) kinds() []string {
	return []string{
		"stop-leader",      // StopNode on the key's leader, RestartNode after the hold
		"isolate-leader",   // pause approximation: CutLink leader<->every other node, HealAll after
		"transfer-leader",  // TransferShard to another replica
		"cut-leader-link",  // CutLink leader<->one follower (the leader keeps a quorum)
		"isolate-follower", // CutLink follower<->every other node
		"restart-follower", // a follower crashes and restarts at once while the other has lost the leader
	}
}

func (p linInProc) inject(ctx context.Context, kind string, shard uint32, leader string, hold time.Duration, rng *rand.Rand) (string, string, error) {
	others := linOthers(p.cl.NodeIDs(), leader)
	switch kind {
	case "stop-leader":
		if err := p.cl.StopNode(leader); err != nil {
			return "", "", fmt.Errorf("fault %s: %w", kind, err)
		}
		linSleep(ctx, hold)
		rctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		what := fmt.Sprintf("stop-leader %s (shard %d)", leader, shard)
		if err := p.cl.RestartNode(rctx, leader); err != nil {
			return what, "", fmt.Errorf("undo %s: %w", what, err)
		}
		return what, "", nil
	case "isolate-leader", "isolate-follower":
		target := leader
		if kind == "isolate-follower" {
			target = others[rng.IntN(len(others))]
		}
		for _, o := range linOthers(p.cl.NodeIDs(), target) {
			p.cl.CutLink(target, o)
		}
		linSleep(ctx, hold)
		p.cl.HealAll()
		return fmt.Sprintf("%s %s (shard %d, leader %s)", kind, target, shard, leader), "", nil
	case "restart-follower":
		// F2 loses the leader long enough to forget it; then F1, which
		// answered the leader's lease rounds alone meanwhile, crashes cut
		// from the leader and comes back at once. F1 and F2 can elect a
		// leader between them: F1 must not vote while the old leader's
		// lease, which rests on F1's promise, may still run (restart hold).
		f1, f2 := others[0], others[1]
		if rng.IntN(2) == 1 {
			f1, f2 = f2, f1
		}
		p.cl.CutLink(leader, f2)
		linSleep(ctx, 1500*time.Millisecond) // > the heartbeat timeout (1.2 s)
		p.cl.CutLink(leader, f1)
		what := fmt.Sprintf("restart-follower %s (shard %d, leader %s cut from %s)", f1, shard, leader, f2)
		if err := p.cl.StopNode(f1); err != nil {
			p.cl.HealAll()
			return "", "", fmt.Errorf("fault %s: %w", what, err)
		}
		rctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		err := p.cl.RestartNode(rctx, f1)
		linSleep(ctx, hold)
		p.cl.HealAll()
		if err != nil {
			return what, "", fmt.Errorf("undo %s: %w", what, err)
		}
		return what, "", nil
	case "cut-leader-link":
		follower := others[rng.IntN(len(others))]
		p.cl.CutLink(leader, follower)
		linSleep(ctx, hold)
		p.cl.HealLink(leader, follower)
		return fmt.Sprintf("cut-leader-link %s-%s (shard %d)", leader, follower, shard), "", nil
	case "transfer-leader":
		target := others[rng.IntN(len(others))]
		tctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.cl.TransferShard(tctx, shard, target); err != nil {
			return "", err.Error(), nil
		}
		return fmt.Sprintf("transfer-leader shard %d %s->%s", shard, leader, target), "", nil
	}
	return "", "", fmt.Errorf("unknown fault %q", kind)
}

// linFaulter injects faults and records each as an annotation.
type linFaulter struct {
	target linTarget
	h      *linHistory
	rng    *rand.Rand
	shards []uint32 // the workload keys' shards

	mu     sync.Mutex
	counts map[string]int
	log    []string // "12.3s stop-leader n1 (shard 17), 1.8s"
}

// run injects faults until ctx is done, then undoes the last one. A fault
// that cannot be injected (no leader yet, transfer refused) is logged and
// skipped; an undo that fails (a node that will not restart) is an error.
func (f *linFaulter) run(ctx context.Context) error {
	f.counts = map[string]int{}
	order := f.target.kinds()
	for round := 0; ctx.Err() == nil; round++ {
		if round%len(order) == 0 {
			// Every kind once per round, in a seeded order.
			f.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		if err := f.inject(ctx, order[round%len(order)]); err != nil {
			return err
		}
		linSleep(ctx, linJitter(f.rng, 300*time.Millisecond, 1200*time.Millisecond))
	}
	return nil
}

func (f *linFaulter) inject(ctx context.Context, kind string) error {
	shard := f.shards[f.rng.IntN(len(f.shards))]
	leader := f.waitLeader(ctx, shard)
	if leader == "" {
		f.note(kind, "skipped: shard %d has no leader", shard)
		return nil
	}
	hold := linJitter(f.rng, 800*time.Millisecond, 2500*time.Millisecond)
	from := f.h.now()
	what, skip, err := f.target.inject(ctx, kind, shard, leader, hold, f.rng)
	if skip != "" {
		f.note(kind, "skipped: %s", skip)
		return nil
	}
	to := f.h.now()
	f.h.annotate(what, from, to)
	f.mu.Lock()
	f.counts[kind]++
	f.log = append(f.log, fmt.Sprintf("%6.1fs %s, %s", time.Duration(from).Seconds(), what, time.Duration(to-from).Round(time.Millisecond)))
	f.mu.Unlock()
	return err
}

// waitLeader polls for shard's leader for up to 10 s.
func (f *linFaulter) waitLeader(ctx context.Context, shard uint32) string {
	deadline := time.Now().Add(10 * time.Second)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		if l := f.target.leaderOf(shard); l != "" {
			return l
		}
		linSleep(ctx, 20*time.Millisecond)
	}
	return ""
}

func (f *linFaulter) note(kind, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, fmt.Sprintf("%6.1fs %s %s", time.Duration(f.h.now()).Seconds(), kind, fmt.Sprintf(format, args...)))
}

// summary is "total (kind n, ...)" for the figures.
func (f *linFaulter) summary() (int, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	total := 0
	var parts []string
	for k, n := range f.counts {
		total += n
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	return total, strings.Join(parts, ", ")
}

func (f *linFaulter) schedule() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.log, "\n")
}

func linOthers(ids []string, not string) []string {
	var out []string
	for _, id := range ids {
		if id != not {
			out = append(out, id)
		}
	}
	return out
}

func linJitter(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// linSleep waits d or until ctx is done.
func linSleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
