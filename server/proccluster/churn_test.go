//go:build unix

package proccluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// envChurnWindow sets the measuring window of TestCalmUnderStalls (a Go
// duration, e.g. 60s; default 15s); envChurnBurners adds that many CPU
// burner processes during the window.
const (
	envChurnWindow  = "NORIKV_CHURN_WINDOW"
	envChurnBurners = "NORIKV_CHURN_BURNERS"
)

// TestCalmUnderStalls is issue 9 §2's reproduction on demand: node n1 is
// stopped with SIGSTOP for random 300-800 ms stalls, again and again (a
// machine so busy that a process gets no CPU for that long), while a watch
// on n2 counts topology epochs and group leader changes. Stalls shorter
// than a follower's heartbeat timeout and the leader's lease must cause
// neither an election nor a health flap.
func TestCalmUnderStalls(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and stalls one")
	}
	window := 15 * time.Second
	if d, err := time.ParseDuration(os.Getenv(envChurnWindow)); err == nil && d > 0 {
		window = d
	}
	c := Start(t, Options{})
	waitAllLed(t, c)
	if n, err := strconv.Atoi(os.Getenv(envChurnBurners)); err == nil && n > 0 {
		defer c.Burn(t, n)()
	}
	// A loaded test machine can stretch a stall past the 800 ms this test
	// is about: the test process oversleeps (a 972 ms stall at load 12 once
	// led to an election, which is Raft doing its job), or n1, resumed, waits
	// for a CPU before it runs again. Each stall is therefore measured until
	// n1 answers a call after SIGCONT. A window with a longer stall proves
	// nothing either way: it is run again, up to three times.
	const attempts = 3
	for i := 1; i <= attempts; i++ {
		waitSettled(t, c, 3*time.Second)
		epochs, changes, longest := stallWindow(t, c, window)
		if epochs == 0 && changes == 0 {
			return
		}
		if longest <= maxInSpecStall {
			t.Fatalf("stalls of 300-800 ms (longest %v) caused %d new epochs and %d group leader changes, want none", longest, epochs, changes)
		}
		t.Logf("window %d: a stall lasted %v (over %v: the machine is loaded), so its %d epochs and %d leader changes do not count; running the window again", i, longest, maxInSpecStall, epochs, changes)
	}
	t.Skipf("every one of %d windows had a stall over %v: the machine is too loaded for this test", attempts, maxInSpecStall)
}

// maxInSpecStall is the longest stall TestCalmUnderStalls still counts as
// one of its 300-800 ms stalls (its sleeps may overrun a little).
const maxInSpecStall = 850 * time.Millisecond

// stallWindow stalls n1 with SIGSTOP for random 300-800 ms, again and again
// for window, while a watch on n2 counts epochs and group leader changes; it
// returns those and the longest stall as the cluster saw it: from SIGSTOP
// until n1 answered a NodeStatus call after SIGCONT.
func stallWindow(t *testing.T, c *Cluster, window time.Duration) (epochs uint64, changes int, longest time.Duration) {
	t.Helper()
	w := watchChurn(t, c.Addr("n2"))
	n1 := statusPinger(t, c.Addr("n1"))
	stalls := 0
	end := time.Now().Add(window)
	for time.Now().Before(end) {
		n1()
		c.Pause(t, "n1")
		from := time.Now()
		time.Sleep(300*time.Millisecond + rand.N(500*time.Millisecond))
		c.Resume(t, "n1")
		resumed := time.Since(from)
		n1()
		stall := time.Since(from)
		longest = max(longest, stall)
		w.note(fmt.Sprintf("stall %d: %v-%v (SIGCONT at %v)", stalls, from.Sub(w.t0).Round(time.Millisecond), (from.Sub(w.t0) + stall).Round(time.Millisecond), resumed.Round(time.Millisecond)))
		stalls++
		time.Sleep(200*time.Millisecond + rand.N(800*time.Millisecond))
	}
	// Let the last stall's consequences reach the view.
	time.Sleep(2 * time.Second)
	epochs, changes, views := w.stop()
	t.Logf("%d stalls of n1 in %v (longest %v): %d epochs, %d group leader changes (%d views)", stalls, window, longest.Round(time.Millisecond), epochs, changes, views)
	if epochs > 0 || changes > 0 {
		for _, e := range w.events {
			t.Log(e)
		}
	}
	return epochs, changes, longest
}

// statusPinger returns a function that calls NodeStatus on addr over one
// connection until it answers (each try bounded, at most 10 s in all): it
// returns once the node runs again.
func statusPinger(t *testing.T, addr string) func() {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	console := consolepb.NewConsoleClient(conn)
	return func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := console.NodeStatus(ctx, &consolepb.NodeStatusRequest{})
			cancel()
			if err == nil {
				return
			}
		}
		t.Fatalf("%s did not answer NodeStatus for 10 s", addr)
	}
}

// waitSettled waits until the cluster's epoch has not moved for quiet:
// leadership has been spread to the preferred leaders after the start.
func waitSettled(t *testing.T, c *Cluster, quiet time.Duration) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var epoch uint64
	since := time.Now()
	for time.Now().Before(deadline) {
		v := c.View(t)
		switch {
		case v == nil || v.Epoch != epoch:
			if v != nil {
				epoch = v.Epoch
			}
			since = time.Now()
		case time.Since(since) >= quiet:
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the epoch kept moving for a minute after the start (at %d)", epoch)
}

// churnWatch counts what a WatchCluster stream shows.
type churnWatch struct {
	cancel context.CancelFunc
	done   chan struct{}

	t0      time.Time
	mu      sync.Mutex
	events  []string
	first   uint64
	last    *norikvpb.ClusterView
	changes int
	views   int
}

// watchCluster follows addr's WatchCluster stream until stop.
func watchChurn(t *testing.T, addr string) *churnWatch {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := norikvpb.NewMetaClient(conn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	v, err := stream.Recv()
	if err != nil {
		cancel()
		t.Fatalf("first view from %s: %v", addr, err)
	}
	w := &churnWatch{cancel: cancel, done: make(chan struct{}), first: v.Epoch, last: v, t0: time.Now()}
	go func() {
		defer close(w.done)
		for {
			v, err := stream.Recv()
			if err != nil {
				return
			}
			w.mu.Lock()
			w.views++
			if n := leaderChanges(w.last, v); n > 0 || v.Epoch != w.last.Epoch {
				w.changes += n
				var roles []string
				for _, nd := range v.Nodes {
					roles = append(roles, nd.Id+"="+nd.Role)
				}
				w.events = append(w.events, fmt.Sprintf("%v: epoch %d, %d leader changes, %v", time.Since(w.t0).Round(time.Millisecond), v.Epoch, n, roles))
			}
			w.last = v
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *churnWatch) note(e string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events = append(w.events, e)
}

// stop ends the watch and returns the epochs it saw go by, the group
// leader changes and the views received.
func (w *churnWatch) stop() (epochs uint64, changes, views int) {
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last.Epoch - w.first, w.changes, w.views
}

// leaderChanges counts the groups (runs of shards with one leader) whose
// leader differs between two views: a shard's leader changes with its group.
func leaderChanges(a, b *norikvpb.ClusterView) int {
	leaderOf := func(v *norikvpb.ClusterView, i int) string {
		if i >= len(v.Shards) {
			return ""
		}
		for _, r := range v.Shards[i].Replicas {
			if r.Leader {
				return r.NodeId
			}
		}
		return ""
	}
	n := 0
	prevChanged := false
	for i := range b.Shards {
		changed := leaderOf(a, i) != leaderOf(b, i)
		// Shards of one group are contiguous: count each run once.
		if changed && !prevChanged {
			n++
		}
		prevChanged = changed
	}
	return n
}
