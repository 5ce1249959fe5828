package node

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/raft"
)

// A node whose disk is slow, not dead.
//
// With fsync, every Raft log append waits for a sync of the log engine's
// write-ahead log (raftlog). On a degraded disk those take 50 ms to
// seconds. Measured with 3 serve --fsync processes, n1's data dir on a
// FUSE file system delaying its syncs (proccluster Options.SlowDisk), one
// writer per group: with n1's syncs 200 ms longer, Puts to the group n1
// leads took 405 ms at the median (7 ms before; 203 ms with that group
// written alone: each waits for the leader's own sync, and the followers'
// appends of other groups keep its WAL busy), 2 s longer: 4 s, and n1
// kept leading it (its heartbeats do not wait for the disk), while the
// groups it follows did not notice (the other two make the quorum). Lease
// reads stayed correct. Nothing was logged or shown in /metrics.
//
// The node now times every sync (raftlog Options.OnSync): /metrics has
// norikv_raft_log_sync_seconds (a histogram) and norikv_raft_log_syncs_slow;
// once per episode it logs when the p99 of the syncs of the last 30 s
// reaches slowSync, and when it falls under half of it again. When the
// p99 reaches the heartbeat timeout (about an election timeout: a write
// then waits longer than it takes to replace a dead leader), it hands the
// groups it leads to other replicas (at most every 10 s): in the same
// run, one writer then had 377 Puts of group 0 acknowledged in 20 s, p50
// 6 ms, instead of 5. Below that it keeps them: the same p99 on every node
// (slow storage under all of them) would move leaders around for nothing.
//
// A p99 under the heartbeat timeout but several times its peers' (measured
// with n1's syncs 200 ms longer: its group's Puts took 405 ms at the
// median, 7 ms before, while the others' syncs took a few ms) is a slow
// disk under this node alone, not slow storage under all of them. So at a
// p99 of slowSync or more the node asks its peers for theirs (a control
// call, once a second at most and only while it leads groups), and hands
// its groups over when its own is slowerThanPeers times the best peer's
// (of those with minSlowSyncs syncs in the window; a peer that does not
// answer, or an older node, does not count). The balancer does not hand a
// group back to a peer whose syncs are that much slower than its own
// (background.go), so the groups do not move back and forth.
//
// A sync that hangs is timed by nobody until it ends, so the node also
// says when one has been running for stuckSync (raftlog DB.SyncingSince).
// It cannot hand over the groups it leads then: hashicorp/raft's leader
// loop waits in that log write, so the transfer waits too, while the
// group's heartbeats (sent apart from it) keep the followers from electing
// another leader. Its writes stall until the disk answers (measured with a
// hung disk: no write of that group acknowledged, the groups it follows
// unaffected). Changing that is hashicorp/raft's leader loop (third_party).

const (
	// syncWindow is how far back the p99 of the log syncs looks.
	syncWindow = 30 * time.Second
	// syncRing bounds the syncs remembered for it (the newest kept).
	syncRing = 4096
	// slowSync is the p99 at which the node says its syncs are slow.
	slowSync = 100 * time.Millisecond
	// stuckSync: a sync running this long starts an episode by itself.
	stuckSync = time.Second
	// minSlowSyncs syncs in the window are needed to judge it.
	minSlowSyncs = 3
	// handOffEvery spaces the node's hand-offs of its groups for slow
	// syncs.
	handOffEvery = 10 * time.Second
	// slowerThanPeers: a p99 of slowSync or more this many times the best
	// peer's hands the node's groups over.
	slowerThanPeers = 3
	// peerSyncsWait bounds asking the peers for their syncs.
	peerSyncsWait = 500 * time.Millisecond
	// latestSyncs: how many of its newest syncs a node without
	// minSlowSyncs in the window tells its peers about.
	latestSyncs = 100
)

// syncSummary is what a node tells its peers of its recent Raft log syncs.
type syncSummary struct {
	P99   time.Duration `json:"p99_ns"`
	Count int           `json:"count"`
}

// known reports whether s has enough syncs to compare.
func (s *syncSummary) known() bool { return s != nil && s.Count >= minSlowSyncs }

// recentSyncs summarizes this node's syncs of the last syncWindow or,
// when it holds fewer than minSlowSyncs (no writes for a while), its
// newest syncs whenever they ran: the latest evidence of its disk. Without
// it a node that handed its groups over for a slow disk answered "no
// syncs" after syncWindow without writes, and a balancer handed it its
// group back, whose writes were slow again once they resumed.
func (n *Node) recentSyncs(now time.Time) *syncSummary {
	p99, _, count := n.syncs.recent(now)
	if count < minSlowSyncs {
		p99, count = n.syncs.newest(latestSyncs)
	}
	return &syncSummary{P99: p99, Count: count}
}

// slowerThan reports whether syncs with p99 mine are slow and
// slowerThanPeers times those of other (known).
func slowerThan(mine time.Duration, other *syncSummary) bool {
	return other.known() && mine >= slowSync && mine >= slowerThanPeers*max(other.P99, time.Millisecond)
}

// fastestPeerSyncs asks every other node for its recent syncs and returns
// the one with the lowest p99 among those that answer with enough of them.
func (n *Node) fastestPeerSyncs(ctx context.Context) (id string, best *syncSummary) {
	if n.mux == nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, peerSyncsWait)
	defer cancel()
	type answer struct {
		id string
		s  *syncSummary
	}
	var peers []answer
	answers := make(chan answer, len(n.cfg.Layout.Nodes))
	for _, nd := range n.cfg.Layout.Nodes {
		if nd.ID == n.self.ID {
			continue
		}
		peers = append(peers, answer{id: nd.ID})
		go func() {
			rep, err := n.call(ctx, nd.RaftAddr, controlRequest{Syncs: true})
			if err != nil {
				answers <- answer{id: nd.ID}
				return
			}
			answers <- answer{id: nd.ID, s: rep.Syncs}
		}()
	}
	for range peers {
		a := <-answers
		if a.s.known() && (best == nil || a.s.P99 < best.P99) {
			id, best = a.id, a.s
		}
	}
	return id, best
}

// syncBucketBounds are the upper bounds (seconds) of the sync histogram.
func syncBucketBounds() []float64 {
	return []float64{0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

type syncSample struct {
	at   time.Time
	took time.Duration
}

// syncWatch keeps the log syncs' durations: a histogram since the start
// and the recent ones for the p99.
type syncWatch struct {
	mu      sync.Mutex
	ring    [syncRing]syncSample
	next    int
	filled  bool
	buckets []uint64 // per bucket of syncBucketBounds, and one beyond
	count   uint64
	sum     time.Duration

	// Touched by checkSyncs only (one at a time: a loops.go job).
	slow        string // the episode's line while syncs are slow
	hungSaid    bool   // the episode's line says a sync hangs
	slowShown   string // slow, for SlowSyncs (under mu)
	lastHandOff time.Time
}

// observe is raftlog's OnSync: it runs on the engine's syncing goroutine.
func (w *syncWatch) observe(took time.Duration) { w.observeAt(time.Now(), took) }

func (w *syncWatch) observeAt(now time.Time, took time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buckets == nil {
		w.buckets = make([]uint64, len(syncBucketBounds())+1)
	}
	i, secs := 0, took.Seconds()
	for _, b := range syncBucketBounds() {
		if secs <= b {
			break
		}
		i++
	}
	w.buckets[i]++
	w.count++
	w.sum += took
	w.ring[w.next] = syncSample{at: now, took: took}
	w.next++
	if w.next == syncRing {
		w.next, w.filled = 0, true
	}
}

// recent returns the p99 and the slowest of the syncs since now-syncWindow
// and their count.
func (w *syncWatch) recent(now time.Time) (p99, slowest time.Duration, count int) {
	w.mu.Lock()
	n := w.next
	if w.filled {
		n = syncRing
	}
	took := make([]time.Duration, 0, n)
	for _, s := range w.ring[:n] {
		if now.Sub(s.at) <= syncWindow {
			took = append(took, s.took)
		}
	}
	w.mu.Unlock()
	if len(took) == 0 {
		return 0, 0, 0
	}
	slices.Sort(took)
	// The nearest rank: of fewer than 100 syncs, the slowest.
	return took[(len(took)*99+99)/100-1], took[len(took)-1], len(took)
}

// newest returns the p99 of the newest k syncs, however old, and how many
// there were (fewer than k when fewer were timed).
func (w *syncWatch) newest(k int) (p99 time.Duration, count int) {
	w.mu.Lock()
	n := w.next
	if w.filled {
		n = syncRing
	}
	took := make([]time.Duration, 0, min(k, n))
	for i := 1; i <= n && len(took) < k; i++ {
		took = append(took, w.ring[(w.next-i+syncRing)%syncRing].took)
	}
	w.mu.Unlock()
	if len(took) == 0 {
		return 0, 0
	}
	slices.Sort(took)
	return took[(len(took)*99+99)/100-1], len(took)
}

// LogSyncs returns the Raft log syncs timed since the start (with fsync):
// their count, total seconds, and the count at or under each bound
// (cumulative, seconds), for /metrics.
func (n *Node) LogSyncs() (count uint64, sum float64, cumulative map[float64]uint64) {
	w := &n.syncs
	w.mu.Lock()
	defer w.mu.Unlock()
	cumulative = map[float64]uint64{}
	var acc uint64
	for i, b := range syncBucketBounds() {
		if w.buckets != nil {
			acc += w.buckets[i]
		}
		cumulative[b] = acc
	}
	return w.count, w.sum.Seconds(), cumulative
}

// SlowSyncs says why this node's Raft log syncs are slow ("" while they
// are not): the line it logged at the start of the episode.
func (n *Node) SlowSyncs() string {
	n.syncs.mu.Lock()
	defer n.syncs.mu.Unlock()
	return n.syncs.slowShown
}

// checkSyncs is a loops.go job: it starts and ends slow episodes and hands
// the groups over when the syncs take a heartbeat timeout.
func (n *Node) checkSyncs(ctx context.Context) {
	var since time.Time
	if n.raftLog != nil {
		since = n.raftLog.SyncingSince()
	}
	n.checkSyncsAt(ctx, time.Now(), since)
}

// checkSyncsAt is checkSyncs at now, with the sync still running since
// syncing (zero: none): a sync that hangs is timed only once it ends.
func (n *Node) checkSyncsAt(ctx context.Context, now, syncing time.Time) {
	w := &n.syncs
	p99, slowest, count := w.recent(now)
	var stuck time.Duration
	if !syncing.IsZero() {
		stuck = now.Sub(syncing)
	}
	dir := n.cfg.DataDir
	switch {
	case w.slow == "" && count >= minSlowSyncs && p99 >= slowSync:
		w.slow = fmt.Sprintf("Raft log syncs are slow: %s (p99 of the last %s, %d syncs, slowest %s) on %s: a slow or failing disk; writes to the groups this node leads wait for them",
			fmtSyncTime(p99), fmtSyncTime(syncWindow), count, fmtSyncTime(slowest), dir)
		w.setShown(w.slow)
		n.logf("%s: %s", n.self.ID, w.slow)
	case stuck >= stuckSync && !w.hungSaid:
		// Also inside an episode the syncs' p99 began: a sync that
		// hangs is worse news than slow ones (found in CI at load 17: the
		// p99 line came first and the hang was never said).
		w.hungSaid = true
		w.slow = fmt.Sprintf("Raft log syncs are slow: one has been running for %s on %s: a slow or failing disk; writes to the groups this node leads wait for it",
			fmtSyncTime(stuck.Round(100*time.Millisecond)), dir)
		w.setShown(w.slow)
		n.logf("%s: %s", n.self.ID, w.slow)
	case w.slow != "" && stuck < slowSync && (count == 0 || p99 < slowSync/2):
		w.slow, w.hungSaid = "", false
		w.setShown("")
		if count == 0 {
			n.logf("%s: Raft log syncs are no longer slow (none in the last %s)", n.self.ID, fmtSyncTime(syncWindow))
		} else {
			n.logf("%s: Raft log syncs are no longer slow: %s (p99 of the last %s, %d syncs)", n.self.ID, fmtSyncTime(p99), fmtSyncTime(syncWindow), count)
		}
	}
	// Only syncs that ended count here: a hung one blocks the Raft loop
	// of a group this node leads, which then cannot hand it over anyway,
	// and one long sync on a busy machine is no reason to.
	limit := n.cfg.Timing.HeartbeatTimeout
	if w.slow == "" || p99 < slowSync || count < minSlowSyncs || now.Sub(w.lastHandOff) < handOffEvery || ctx.Err() != nil {
		return
	}
	led := 0
	if n.meta != nil && n.meta.raft.State() == raft.Leader {
		led++
	}
	for _, g := range n.groups {
		if g.rg.raft.State() == raft.Leader {
			led++
		}
	}
	if led == 0 {
		return
	}
	var why string
	if p99 >= limit {
		why = fmt.Sprintf("more than the heartbeat timeout (%s)", fmtSyncTime(limit))
	} else if id, best := n.fastestPeerSyncs(ctx); slowerThan(p99, best) {
		why = fmt.Sprintf("%d times %s's (%s), the fastest of its peers", p99/max(best.P99, time.Millisecond), id, fmtSyncTime(best.P99))
	} else {
		return // as slow as its peers' (or they do not say): moving leaders would not help
	}
	w.lastHandOff = now
	n.logf("%s: handing the %d groups it leads to other replicas: its Raft log syncs take %s (p99), %s, and every write to them waits for one", n.self.ID, led, fmtSyncTime(p99), why)
	n.stepDown()
}

// setShown publishes the episode's line to SlowSyncs.
func (w *syncWatch) setShown(s string) {
	w.mu.Lock()
	w.slowShown = s
	w.mu.Unlock()
}

func fmtSyncTime(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// peerCanTake asks a peer whether it can take a group from this node:
// it can write its Raft log, and its syncs are not slowerThanPeers times
// this node's (it would hand the group straight back, or keep it slow). A
// peer that does not answer (or is older) can, as before.
func (n *Node) peerCanTake(ctx context.Context, raftAddr string) bool {
	ctx, cancel := context.WithTimeout(ctx, peerSyncsWait)
	defer cancel()
	rep, err := n.call(ctx, raftAddr, controlRequest{Storage: true, Syncs: true})
	if err != nil {
		return true
	}
	if rep.StorageError != "" {
		return false
	}
	return rep.Syncs == nil || !slowerThan(rep.Syncs.P99, n.recentSyncs(time.Now()))
}
