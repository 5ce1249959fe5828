//go:build linux

package proccluster

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/slowfs"
)

// TestSlowDiskLeaderSaysSoAndHandsOver: n1 (leader of group 0, follower of
// groups 1 and 2) gets a disk whose syncs take 2 s longer while Puts run.
// Before, n1 kept leading group 0, whose writes then took 4 s each (one
// writer: 5 acknowledged in 20 s against 1900 before), and said nothing:
// no log line, nothing in /metrics. Now it logs once that its Raft log
// syncs are slow, /metrics shows the syncs (norikv_raft_log_sync_seconds
// beyond 1 s, norikv_raft_log_syncs_slow 1), it hands group 0 to another
// replica, which does not hand it back while n1 is slow, so writes to
// every group are acknowledged again; every acknowledged write reads back
// once the disk is fast again.
func TestSlowDiskLeaderSaysSoAndHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes on a FUSE file system")
	}
	const slow = "n1"
	c, delay, conns, w := slowDiskLeaderUnderWrites(t, slow, true)

	delay.Set(2 * time.Second)
	const said = "Raft log syncs are slow"
	waitFor(t, slow+" saying its Raft log syncs are slow", func() bool { return strings.Contains(c.Log(t, slow), said) })
	waitFor(t, "group 0 handed to another node", func() bool { l := c.LeaderOf(t, 0); return l != "" && l != slow })
	_, m := httpGet(c.HTTPAddr(slow), "/metrics")
	if !strings.Contains(m, "norikv_raft_log_syncs_slow 1") {
		t.Errorf("%s's /metrics does not say its syncs are slow:\n%s", slow, grepLines(m, "sync"))
	}
	count, upTo1s := metricValue(m, "norikv_raft_log_sync_seconds_count"), metricValue(m, `norikv_raft_log_sync_seconds_bucket{le="1"}`)
	if count <= upTo1s {
		t.Errorf("%s's /metrics counts no sync over 1 s (%v syncs, %v within 1 s):\n%s", slow, count, upTo1s, grepLines(m, "sync"))
	}
	// No balancer hands n1 a group back while its disk is slow: watched,
	// with no writes running (a leader transfer to n1 then succeeds, as
	// it has nothing to catch up with), for longer than a new leader holds
	// a group before handing it to its preferred leader (5 s) and a few
	// balancing rounds.
	w.stop()
	handedOff := time.Now()
	for time.Since(handedOff) < 12*time.Second {
		if v := c.View(t); leads(v, slow) {
			t.Fatalf("%s leads a group again while its disk is slow (%v after handing them over)", slow, time.Since(handedOff).Round(time.Millisecond))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Writes go on in every group.
	w2 := startWrites(t, c, conns, 64)
	w2.waitWritesInEveryGroup(t, 100, "writes in every group while "+slow+"'s disk is slow")
	log := c.Log(t, slow)
	if n := strings.Count(log, said); n != 1 {
		t.Errorf("%s said %d times that its syncs are slow, want once per episode:\n%s", slow, n, c.logTail(slow, 20))
	}
	if line := regexp.MustCompile(`n1: Raft log syncs are slow: ([0-9.]+ s \(p99 of the last 30 s, \d+ syncs, slowest [0-9.]+ s\)|one has been running for [0-9.]+ s) on \S+: a slow or failing disk`).FindString(log); line == "" {
		t.Errorf("%s's line does not say how slow, where and why:\n%s", slow, c.logTail(slow, 20))
	}
	delay.Set(0)
	w2.stop()
	w.checkAllRead(t, c, conns)
	w2.checkAllRead(t, c, conns)
	t.Logf("%d syncs served on %s's disk; its lines:\n%s", delay.Syncs(), slow, grepLines(log, "sync"))
}

// metricValue returns the value of the /metrics line starting with name
// and a space, or -1.
func metricValue(metrics, name string) float64 {
	for _, l := range strings.Split(metrics, "\n") {
		if rest, ok := strings.CutPrefix(l, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestHungDiskSyncIsSaid: n1 (leader of group 0) has its syncs hang (a
// minute each) while Puts run. A sync that has not ended was timed by
// nobody: before, n1 said nothing until two or more such syncs had ended
// (minutes). Now it says within seconds that one has been running for
// over a second. The groups it follows go on. Group 0 stalled until the
// disk recovered (the hand-off it tries cannot happen while its Raft loop
// waits in the log write, and its heartbeats kept the followers from
// electing another leader); now n1 stops heartbeating once its write has
// hung for two heartbeat timeouts (raft Config.StuckWriteTimeout), and
// the others elect a leader that takes group 0's writes. Once the hung
// syncs end, every group takes writes and every acknowledged write reads
// back.
func TestHungDiskSyncIsSaid(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes on a FUSE file system")
	}
	const slow = "n1"
	c, delay, conns, w := slowDiskLeaderUnderWrites(t, slow, false)
	delay.Set(time.Minute)
	hung := time.Now()
	waitFor(t, slow+" saying a Raft log sync hangs", func() bool {
		return strings.Contains(c.Log(t, slow), "Raft log syncs are slow: one has been running for ")
	})
	t.Logf("said %v after the disk hung", time.Since(hung).Round(100*time.Millisecond))
	from := w.perGroup()
	waitFor(t, "writes in groups 1 and 2 while "+slow+"'s disk hangs", func() bool {
		now := w.perGroup()
		return now[1]-from[1] >= 50 && now[2]-from[2] >= 50
	})
	// The group it led: its log write hangs, so it stops heartbeating after
	// two heartbeat timeouts and the others elect a leader that takes
	// writes (before, group 0 took none until the disk answered).
	waitFor(t, "group 0 led by another node while "+slow+"'s disk hangs", func() bool {
		l := c.LeaderOf(t, 0)
		return l != "" && l != slow
	})
	waitFor(t, "writes in group 0 while "+slow+"'s disk hangs", func() bool { return w.perGroup()[0]-from[0] >= 50 })
	t.Logf("group 0: %d writes acknowledged while the disk hung, groups 1, 2: %d, %d", w.perGroup()[0]-from[0], w.perGroup()[1]-from[1], w.perGroup()[2]-from[2])
	delay.Set(0)
	w.waitWritesInEveryGroup(t, 50, "writes in every group once the disk is back")
	w.stop()
	w.checkAllRead(t, c, conns)
	t.Logf("%s's lines:\n%s", slow, grepLines(c.Log(t, slow), "sync"))
}

// TestSlowerDiskThanItsPeersHandsOver: n1 (leader of group 0) gets a disk
// whose syncs take 200 ms longer while Puts run, its peers' syncs taking a
// few ms. That is under the heartbeat timeout (1.2 s) at which a leader
// hands its groups over whatever its peers do, so before, n1 kept group 0,
// whose Puts took 405 ms at the median (7 ms before). Now n1 asks its peers
// for their sync times, finds its own p99 several times the fastest
// peer's, and hands group 0 over, saying why; no balancer hands it back
// while writes go on (its syncs stay that much slower), and every
// acknowledged write reads back.
func TestSlowerDiskThanItsPeersHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes on a FUSE file system")
	}
	const slow = "n1"
	c, delay, conns, w := slowDiskLeaderUnderWrites(t, slow, false)

	delay.Set(200 * time.Millisecond)
	waitFor(t, slow+" saying its Raft log syncs are slow", func() bool {
		return strings.Contains(c.Log(t, slow), "Raft log syncs are slow")
	})
	waitFor(t, "group 0 handed to another node", func() bool { l := c.LeaderOf(t, 0); return l != "" && l != slow })
	handed := regexp.MustCompile(`n1: handing the \d+ groups it leads to other replicas: its Raft log syncs take \d+ ms \(p99\), \d+ times n[23]'s \(\d+ ms\), the fastest of its peers`)
	if line := handed.FindString(c.Log(t, slow)); line == "" {
		t.Errorf("%s did not say it hands its groups over for syncs slower than its peers':\n%s", slow, grepLines(c.Log(t, slow), "sync"))
	}
	// No balancer hands n1 a group back (a new leader holds a group 5 s
	// before handing it to its preferred leader): with writes going on,
	// then with none (a transfer to n1 then succeeds: it has nothing to
	// catch up with) for longer than the 30 s over which nodes time their
	// syncs: before, n1 then had no syncs to show and got group 0 back
	// (its writes slow again once they resumed); now it shows its latest.
	from := w.perGroup()
	noneBack := func(what string, within time.Duration) {
		handedOff := time.Now()
		for time.Since(handedOff) < within {
			if v := c.View(t); leads(v, slow) {
				t.Fatalf("%s leads a group again while its disk is slow, %s (%v after)", slow, what, time.Since(handedOff).Round(time.Millisecond))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	noneBack("writes going on", 12*time.Second)
	now := w.perGroup()
	t.Logf("in the 12 s after the hand-off: %d, %d, %d writes acknowledged in groups 0, 1, 2", now[0]-from[0], now[1]-from[1], now[2]-from[2])
	w.stop()
	noneBack("no writes", 40*time.Second)
	delay.Set(0)
	w.checkAllRead(t, c, conns)
	t.Logf("%s's lines:\n%s", slow, grepLines(c.Log(t, slow), "sync"))
}

// slowDiskLeaderUnderWrites starts 3 serve --fsync processes, slow's disk
// behind a FUSE delay (none yet), 64-byte writes running in every group,
// and returns once every group took writes and slow leads group 0.
func slowDiskLeaderUnderWrites(t *testing.T, slow string, withHTTP bool) (*Cluster, *slowfs.Delay, map[string]norikvpb.KvClient, *ackedWrites) {
	t.Helper()
	delay := slowfs.NewDelay(0)
	c := Start(t, Options{Shards: fullShards, Groups: fullGroups, Fsync: true, HTTP: withHTTP, SlowDisk: map[string]*slowfs.Delay{slow: delay}})
	conns := dialAll(t, c)
	w := startWrites(t, c, conns, 64)
	w.waitWritesInEveryGroup(t, 50, "writes in every group before the disk is slowed")
	waitFor(t, slow+" leading group 0", func() bool { return c.LeaderOf(t, 0) == slow })
	return c, delay, conns, w
}
