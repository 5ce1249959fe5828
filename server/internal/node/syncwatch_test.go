package node

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestSlowSyncEpisodes: a node whose Raft log syncs turn slow says so once
// (not at every check), shows it in SlowSyncs and the histogram, and says
// its end once when the slow ones have left the 30 s window.
func TestSlowSyncEpisodes(t *testing.T) {
	var out bytes.Buffer
	n := &Node{self: topology.Node{ID: "n1"}, cfg: Config{DataDir: "/data/n1", LogOutput: &out, Timing: DefaultTiming()}}
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		n.syncs.observeAt(t0.Add(time.Duration(i)*10*time.Millisecond), 2*time.Millisecond)
	}
	n.checkSyncsAt(ctx, t0.Add(time.Second), time.Time{})
	if out.Len() != 0 || n.SlowSyncs() != "" {
		t.Fatalf("fast syncs called slow: %q %q", out.String(), n.SlowSyncs())
	}
	// One slow sync among 100 fast ones is under the p99 ...
	n.syncs.observeAt(t0.Add(2*time.Second), 850*time.Millisecond)
	n.checkSyncsAt(ctx, t0.Add(3*time.Second), time.Time{})
	if out.Len() != 0 {
		t.Fatalf("one slow sync among 100 started an episode: %q", out.String())
	}
	// ... five are not.
	for i := 0; i < 4; i++ {
		n.syncs.observeAt(t0.Add(4*time.Second), 850*time.Millisecond)
	}
	for s := 5; s < 10; s++ {
		n.checkSyncsAt(ctx, t0.Add(time.Duration(s)*time.Second), time.Time{})
	}
	want := "n1: Raft log syncs are slow: 850 ms (p99 of the last 30 s, 105 syncs, slowest 850 ms) on /data/n1: a slow or failing disk"
	if got := out.String(); strings.Count(got, "syncs are slow") != 1 || !strings.Contains(got, want) {
		t.Fatalf("log after 5 checks of a slow window:\n%s\nwant once: %s", got, want)
	}
	if !strings.HasPrefix(n.SlowSyncs(), "Raft log syncs are slow: 850 ms") {
		t.Errorf("SlowSyncs() = %q", n.SlowSyncs())
	}
	count, sum, cum := n.LogSyncs()
	if count != 105 || cum[0.5] != 100 || cum[1] != 105 || sum < 4.25 {
		t.Errorf("histogram: %d syncs, %.3f s, %d within 0.5 s, %d within 1 s; want 105, >= 4.25 s, 100, 105", count, sum, cum[0.5], cum[1])
	}
	// Fast syncs again; the slow ones leave the window 30 s later.
	out.Reset()
	for i := 0; i < 50; i++ {
		n.syncs.observeAt(t0.Add(20*time.Second), 3*time.Millisecond)
	}
	n.checkSyncsAt(ctx, t0.Add(21*time.Second), time.Time{})
	if out.Len() != 0 {
		t.Fatalf("episode ended with the slow syncs still in the window: %q", out.String())
	}
	n.checkSyncsAt(ctx, t0.Add(40*time.Second), time.Time{})
	n.checkSyncsAt(ctx, t0.Add(41*time.Second), time.Time{})
	if got := out.String(); strings.Count(got, "no longer slow") != 1 || !strings.Contains(got, "n1: Raft log syncs are no longer slow: 3 ms (p99 of the last 30 s, 50 syncs)") {
		t.Fatalf("log at the end of the episode:\n%s", got)
	}
	if n.SlowSyncs() != "" {
		t.Errorf("SlowSyncs() = %q after the episode", n.SlowSyncs())
	}
}

// TestHungSyncIsSaid: a sync that has not ended is timed by nobody (the
// histogram gets it when it ends), yet the node says it once it has run
// a second, and not again while it runs; the episode ends once it has
// ended and the syncs are fast.
func TestHungSyncIsSaid(t *testing.T) {
	var out bytes.Buffer
	n := &Node{self: topology.Node{ID: "n1"}, cfg: Config{DataDir: "/data/n1", LogOutput: &out, Timing: DefaultTiming()}}
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n.syncs.observeAt(t0, time.Millisecond)
	n.checkSyncsAt(ctx, t0.Add(500*time.Millisecond), t0)
	if out.Len() != 0 {
		t.Fatalf("a sync running for 500 ms started an episode: %q", out.String())
	}
	for s := 1; s <= 5; s++ {
		n.checkSyncsAt(ctx, t0.Add(time.Duration(s)*time.Second+500*time.Millisecond), t0)
	}
	want := "n1: Raft log syncs are slow: one has been running for 1.5 s on /data/n1: a slow or failing disk"
	if got := out.String(); strings.Count(got, "syncs are slow") != 1 || !strings.Contains(got, want) {
		t.Fatalf("log while a sync hangs:\n%s\nwant once: %s", got, want)
	}
	out.Reset()
	n.syncs.observeAt(t0.Add(6*time.Second), 6*time.Second)
	n.checkSyncsAt(ctx, t0.Add(7*time.Second), time.Time{})
	if out.Len() != 0 {
		t.Fatalf("episode ended with the 6 s sync in the window: %q", out.String())
	}
	n.checkSyncsAt(ctx, t0.Add(40*time.Second), time.Time{})
	if got := out.String(); !strings.Contains(got, "n1: Raft log syncs are no longer slow (none in the last 30 s)") {
		t.Fatalf("log at the end of the episode:\n%s", got)
	}
}

// TestHungSyncIsSaidInASlowEpisode: the syncs' p99 started an episode
// (a loaded machine), then one sync hangs. The hang was never said: the
// episode had its line. Now it is, once.
func TestHungSyncIsSaidInASlowEpisode(t *testing.T) {
	var out bytes.Buffer
	n := &Node{self: topology.Node{ID: "n1"}, cfg: Config{DataDir: "/data/n1", LogOutput: &out, Timing: DefaultTiming()}}
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		n.syncs.observeAt(t0, 104*time.Millisecond)
	}
	n.checkSyncsAt(ctx, t0.Add(time.Second), time.Time{})
	if got := out.String(); !strings.Contains(got, "Raft log syncs are slow: 104 ms (p99") {
		t.Fatalf("log after slow syncs:\n%s", got)
	}
	hang := t0.Add(2 * time.Second)
	for s := 1; s <= 5; s++ {
		n.checkSyncsAt(ctx, hang.Add(time.Duration(s)*time.Second+500*time.Millisecond), hang)
	}
	want := "n1: Raft log syncs are slow: one has been running for 1.5 s on /data/n1"
	if got := out.String(); strings.Count(got, "one has been running for") != 1 || !strings.Contains(got, want) {
		t.Fatalf("log while a sync hangs in a slow episode:\n%s\nwant once: %s", got, want)
	}
	if got := n.SlowSyncs(); !strings.Contains(got, "one has been running for") {
		t.Errorf("SlowSyncs() = %q, want the hang", got)
	}
}

// BenchmarkSyncWatchObserve is the cost added to every Raft log sync.
func BenchmarkSyncWatchObserve(b *testing.B) {
	var w syncWatch
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.observe(time.Duration(i%1000) * time.Microsecond)
	}
}

// BenchmarkSyncWatchRecent is the once-a-second p99 over a full ring.
func BenchmarkSyncWatchRecent(b *testing.B) {
	var w syncWatch
	now := time.Now()
	for i := 0; i < syncRing; i++ {
		w.observeAt(now, time.Duration(i%1000)*time.Microsecond)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.recent(now)
	}
}

// The rule for handing groups over for syncs slower than the peers': slow
// (slowSync) and slowerThanPeers times a peer with enough syncs; equally
// slow disks, fast syncs and peers without a say do not count.
func TestSlowerThanPeers(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		mine  time.Duration
		other *syncSummary
		want  bool
	}{
		{200 * ms, &syncSummary{P99: 5 * ms, Count: 100}, true},
		{200 * ms, &syncSummary{P99: 66 * ms, Count: 100}, true},
		{200 * ms, &syncSummary{P99: 70 * ms, Count: 100}, false},  // not 3 times
		{200 * ms, &syncSummary{P99: 200 * ms, Count: 100}, false}, // equally slow storage
		{90 * ms, &syncSummary{P99: ms, Count: 100}, false},        // not slow
		{200 * ms, &syncSummary{P99: 5 * ms, Count: minSlowSyncs - 1}, false},
		{200 * ms, &syncSummary{P99: 0, Count: 100}, true}, // a peer's 0 counts as 1 ms
		{200 * ms, nil, false},
	} {
		if got := slowerThan(c.mine, c.other); got != c.want {
			t.Errorf("slowerThan(%v, %+v) = %v, want %v", c.mine, c.other, got, c.want)
		}
	}
}

// A node that handed its groups over for a slow disk and then saw no
// writes for longer than syncWindow still tells its peers its latest syncs
// (before, "none", and a balancer handed its group back to it; its writes
// were slow again once they resumed). Syncs in the window, when there are
// enough, are what it tells.
func TestIdleNodeTellsItsLatestSyncs(t *testing.T) {
	n := &Node{}
	t0 := time.Now()
	for range 10 {
		n.syncs.observeAt(t0, 200*time.Millisecond)
	}
	got := n.recentSyncs(t0.Add(syncWindow + 10*time.Second))
	if got.P99 != 200*time.Millisecond || got.Count != 10 || !slowerThan(got.P99, &syncSummary{P99: 5 * time.Millisecond, Count: 100}) {
		t.Fatalf("after %v without syncs: %+v, want its 10 syncs of 200 ms", syncWindow+10*time.Second, got)
	}
	later := t0.Add(syncWindow + 11*time.Second)
	for range minSlowSyncs {
		n.syncs.observeAt(later, 5*time.Millisecond)
	}
	if got := n.recentSyncs(later); got.P99 != 5*time.Millisecond || got.Count != minSlowSyncs {
		t.Fatalf("with %d syncs in the window: %+v, want those", minSlowSyncs, got)
	}
	// The newest across the ring's wrap: 100 fast ones after a ring full of slow ones.
	w := &syncWatch{}
	for range syncRing {
		w.observeAt(t0, 500*time.Millisecond)
	}
	for range latestSyncs {
		w.observeAt(t0, time.Millisecond)
	}
	if p99, count := w.newest(latestSyncs); p99 != time.Millisecond || count != latestSyncs {
		t.Fatalf("newest(%d) after the ring wrapped = %v, %d; want 1 ms, %d", latestSyncs, p99, count, latestSyncs)
	}
	if p99, count := w.newest(latestSyncs + 10); p99 != 500*time.Millisecond || count != latestSyncs+10 {
		t.Fatalf("newest(%d) = %v, %d; want 500 ms (10 slow among them), %d", latestSyncs+10, p99, count, latestSyncs+10)
	}
}
