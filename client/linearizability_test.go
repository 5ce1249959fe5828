package client_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// Flags of the linearizability check:
//
//	go test ./client -run Linearizability -v -lin.soak 5m        # longer run
//	go test ./client -run Linearizability -v -lin.seed 1234      # replay a seed
var (
	linSoakFlag = flag.Duration("lin.soak", 0, "run the linearizability check's workload this long (default: a short run)")
	linSeedFlag = flag.Uint64("lin.seed", 0, "seed of the linearizability check's workload and fault schedule (0: random)")
)

// linPlan sizes a run.
type linPlan struct {
	duration      time.Duration
	clients       int // client.Client instances
	workersPer    int // goroutines per client
	keys          int
	checkDeadline time.Duration
}

func linPlanFor() linPlan {
	p := linPlan{duration: 20 * time.Second, clients: 3, workersPer: 2, keys: 3, checkDeadline: 2 * time.Minute}
	if linRace {
		// The race detector slows everything ~5-10x: fewer workers keep
		// the history (and the check) small.
		p.duration, p.workersPer = 12*time.Second, 1
	}
	if testing.Short() {
		p.duration = 8 * time.Second
	}
	if *linSoakFlag > 0 {
		p.duration = *linSoakFlag
		// The check grows faster than the history: 274 000 ops took 77 s.
		p.checkDeadline = 10*time.Minute + 2*p.duration
	}
	return p
}

// TestLinearizability runs Put / Get (lease and linearizable) / CAS from
// several clients on a few keys of an in-process 3-node cluster while a
// fault schedule runs (leader stop/restart, leader isolation standing in for
// a process pause, a cut link, follower isolation, leader moves, a
// follower's quick restart while the other follower lost the leader), then
// checks the history with porcupine against a versioned register per key.
func TestLinearizability(t *testing.T) {
	plan := linPlanFor()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })
	layout := cl.Layout()
	linRun(t, plan, linInProc{cl}, cl.Addrs(), layout.TotalShards, layout.Groups)
}

// linRun runs the workload against addrs while the target's faults run,
// checks the history and prints the figures.
func linRun(t *testing.T, plan linPlan, target linTarget, addrs []string, totalShards, groups int) {
	seed := *linSeedFlag
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (replay with -lin.seed %d), %d clients x %d workers, %d keys, %s", seed, seed, plan.clients, plan.workersPer, plan.keys, plan.duration)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	keys, shards := linKeys(totalShards, groups, plan.keys)
	h := newLinHistory()
	stats := &linStats{}
	faulter := &linFaulter{target: target, h: h, rng: rand.New(rand.NewPCG(seed, 0)), shards: shards}

	var workers []*linWorker
	var nextPID, nextVal atomic.Int64
	for i := 0; i < plan.clients; i++ {
		c, err := client.New(client.Config{Nodes: addrs, TotalShards: totalShards, Timeout: time.Second})
		if err != nil {
			t.Fatalf("client.New: %v", err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if err := connectAgain(ctx, c); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		for j := 0; j < plan.workersPer; j++ {
			workers = append(workers, &linWorker{
				c: c, h: h, stats: stats, keys: keys, nextPID: &nextPID, nextVal: &nextVal,
				rng: rand.New(rand.NewPCG(seed, uint64(1+len(workers)))),
			})
		}
	}

	runCtx, stop := context.WithTimeout(context.Background(), plan.duration)
	defer stop()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.run(runCtx) }()
	}
	faultErr := faulter.run(runCtx)
	wg.Wait()
	if faultErr != nil {
		t.Errorf("fault schedule: %v", faultErr)
	}

	history, notes := h.snapshot()
	began := time.Now()
	res, vis, err := linCheck(history, notes, plan.checkDeadline)
	took := time.Since(began)
	nFaults, faultKinds := faulter.summary()
	t.Logf("ops checked %d (ok %d, CAS mismatches %d, ambiguous %d); failed reads left out %d, refused %d; errors: %s",
		len(history), stats.ok.Load(), stats.mismatches.Load(), stats.ambiguous.Load(), stats.readsFailed.Load(), stats.refused.Load(), stats.errSummary())
	t.Logf("faults injected %d (%s)", nFaults, faultKinds)
	t.Logf("result %s, check time %s", res, took.Round(time.Millisecond))
	if err != nil {
		t.Errorf("visualization: %v", err)
	}
	if res != porcupine.Ok {
		t.Errorf("history of %d ops is %s (seed %d); visualization: %s\nfault schedule:\n%s", len(history), res, seed, vis, faulter.schedule())
		return
	}
	if testing.Verbose() {
		t.Logf("fault schedule:\n%s", faulter.schedule())
	}
	if nFaults == 0 {
		t.Errorf("no fault was injected in %s: the check proved nothing about failures", plan.duration)
	}
	if int(stats.ok.Load()) < 10*len(keys) {
		t.Errorf("only %d operations succeeded: the cluster was not available enough to check anything", stats.ok.Load())
	}
}

// linKeys picks n keys whose shards are in different groups, so faults on
// one group do not touch the others' keys. Groups hold contiguous shard
// ranges (server/internal/topology).
func linKeys(totalShards, groups, n int) ([]string, []uint32) {
	seen := map[int]bool{}
	var keys []string
	var shards []uint32
	for i := 0; len(keys) < n; i++ {
		k := fmt.Sprintf("lin-%d", i)
		shard := client.ShardForKey([]byte(k), totalShards)
		if g := shard * groups / totalShards; !seen[g] {
			seen[g] = true
			keys, shards = append(keys, k), append(shards, uint32(shard))
		}
	}
	return keys, shards
}
