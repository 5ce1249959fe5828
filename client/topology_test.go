package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// scriptWatch makes f's WatchCluster send views then hold (or end when end is true).
func scriptWatch(f *fakeNode, end bool, views ...*norikvpb.ClusterView) {
	f.set(func(f *fakeNode) {
		f.onWatch = func(s grpcViewStream) error {
			for _, v := range views {
				if err := s.Send(v); err != nil {
					return err
				}
			}
			if !end {
				<-s.Context().Done()
			}
			return nil
		}
	})
}

// eventLog collects events from a subscription.
type eventLog struct {
	mu  sync.Mutex
	evs []TopologyEvent
}

func (l *eventLog) add(ev TopologyEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, ev)
}

func (l *eventLog) epochs() []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []uint64
	for _, e := range l.evs {
		out = append(out, e.CurrentEpoch)
	}
	return out
}

func TestWatchIgnoresOlderViewsAndFailsOver(t *testing.T) {
	checkLeaks(t)
	a := startFake(t, fakeServices{meta: true})
	b := startFake(t, fakeServices{meta: true})
	nodes := map[string]string{"a": a.addr, "b": b.addr}
	// a serves epochs 5, 3 (stale, ignored), 7, then its stream breaks.
	scriptWatch(a, true, view(5, 16, "a", nodes), view(3, 16, "b", nodes), view(7, 16, "b", nodes))
	// b lags behind (epoch 6, ignored) and then catches up to 8.
	scriptWatch(b, false, view(6, 16, "a", nodes), view(8, 16, "a", nodes))

	c := newTestClient(t, true, a.addr)
	var log eventLog
	unsub := c.OnTopologyChange(log.add)
	defer unsub()
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	waitFor(t, "epoch 8 from the second node", func() bool {
		v := c.ClusterView()
		return v != nil && v.Epoch == 8
	})
	waitFor(t, "three events", func() bool { return len(log.epochs()) == 3 })
	got := log.epochs()
	if got[0] != 5 || got[1] != 7 || got[2] != 8 {
		t.Fatalf("event epochs = %v, want [5 7 8]", got)
	}
	log.mu.Lock()
	second, third := log.evs[1], log.evs[2]
	first := log.evs[0]
	log.mu.Unlock()
	if first.PreviousEpoch != 0 || len(first.AddedNodes) != 2 || len(first.LeaderChanges) != 16 {
		t.Fatalf("first event = %+v", first)
	}
	if second.PreviousEpoch != 5 || len(second.LeaderChanges) != 16 || second.LeaderChanges[3] != "b" {
		t.Fatalf("second event = prev %d, %d leader changes", second.PreviousEpoch, len(second.LeaderChanges))
	}
	if third.PreviousEpoch != 7 || third.LeaderChanges[0] != "a" {
		t.Fatalf("third event = %+v", third)
	}
	st := c.Stats().Topology
	// At least the stale 3 and 6 were ignored; the parallel probes of each
	// watch (re)start may add repeats of views already applied.
	if st.ViewsIgnored < 2 || st.Epoch != 8 || st.CachedLeaders != 16 {
		t.Fatalf("topology stats = %+v, want >= 2 ignored, epoch 8, 16 cached leaders", st)
	}
	if r := c.Route([]byte("x")); r.LeaderID != "a" || r.LeaderAddr != a.addr || r.FromCache || len(r.Replicas) != 2 {
		t.Fatalf("route = %+v", r)
	}
	unsub()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRemovedNodeConnectionDropped(t *testing.T) {
	a := startFake(t, fakeServices{meta: true})
	b := startFake(t, fakeServices{meta: true})
	both := map[string]string{"a": a.addr, "b": b.addr}
	onlyA := map[string]string{"a": a.addr}
	c := newTestClient(t, true, a.addr)
	scriptWatch(a, false, view(1, 16, "b", both))
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if n := c.Stats().Pool.ActiveConnections; n != 2 {
		t.Fatalf("active connections = %d, want 2", n)
	}
	// A refresh (asked of another node than the watched one) reports that b
	// left: its connection is dropped.
	scriptWatch(b, false, view(2, 16, "a", onlyA))
	c.refreshTopology()
	waitFor(t, "epoch 2", func() bool { return c.ClusterView().Epoch == 2 })
	if s := c.Stats().Pool; s.ActiveConnections != 1 || s.Dropped != 1 {
		t.Fatalf("pool = %+v, want 1 active, 1 dropped", s)
	}
}

func TestEventsInOrderAndPanickingCallback(t *testing.T) {
	c := newTestClient(t, false, "127.0.0.1:1")
	var good eventLog
	calls := 0
	var mu sync.Mutex
	c.OnTopologyChange(func(TopologyEvent) {
		mu.Lock()
		calls++
		mu.Unlock()
		panic("subscriber bug")
	})
	c.OnTopologyChange(good.add)
	nodes := map[string]string{"a": "127.0.0.1:1"}
	for e := uint64(1); e <= 50; e++ {
		c.applyView(view(e, 16, "a", nodes), viewSource{})
	}
	waitFor(t, "50 events", func() bool { return len(good.epochs()) == 50 })
	for i, e := range good.epochs() {
		if e != uint64(i+1) {
			t.Fatalf("event %d has epoch %d: out of order", i, e)
		}
	}
	waitFor(t, "panics recovered", func() bool { return c.Stats().Topology.CallbackPanics == 50 })
	mu.Lock()
	defer mu.Unlock()
	if calls != 50 {
		t.Fatalf("panicking callback called %d times, want 50 (it must keep receiving)", calls)
	}
}

func TestBlockingCallbackDoesNotBlockClient(t *testing.T) {
	checkLeaks(t)
	f := startFake(t, fakeServices{})
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, DisableWatch: true, EventBuffer: 2})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var slow eventLog
	c.OnTopologyChange(func(ev TopologyEvent) {
		slow.add(ev)
		<-release
	})
	var fast eventLog
	c.OnTopologyChange(fast.add)
	nodes := map[string]string{"a": f.addr}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := uint64(1); e <= 20; e++ {
			c.applyView(view(e, 16, "a", nodes), viewSource{})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("applying views blocked on a slow callback")
	}
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put while a callback blocks: %v", err)
	}
	waitFor(t, "fast subscriber reached epoch 20", func() bool {
		e := fast.epochs()
		return len(e) > 0 && e[len(e)-1] == 20
	})
	if e := fast.epochs(); !increasing(e) {
		t.Fatalf("fast subscriber epochs %v not increasing", e)
	}
	close(release)
	// The slow one got event 1, then at most 2 queued events, the last of
	// them merged up to epoch 20: nothing lost, order kept.
	waitFor(t, "slow subscriber caught up", func() bool {
		e := slow.epochs()
		return len(e) > 0 && e[len(e)-1] == 20
	})
	got := slow.epochs()
	if len(got) > 3 {
		t.Fatalf("slow subscriber saw %d events %v, want at most 3 (buffer 2 + the one in flight)", len(got), got)
	}
	slow.mu.Lock()
	last := slow.evs[len(slow.evs)-1]
	slow.mu.Unlock()
	if last.CurrentEpoch != 20 || last.PreviousEpoch >= 20 {
		t.Fatalf("merged event = %d -> %d", last.PreviousEpoch, last.CurrentEpoch)
	}
	if c.Stats().Topology.EventsMerged == 0 {
		t.Fatal("no merged events counted")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseIdempotentAndErrClosed(t *testing.T) {
	checkLeaks(t)
	f := startFake(t, fakeServices{meta: true})
	scriptWatch(f, false, view(1, 16, "a", map[string]string{"a": f.addr}))
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16})
	if err != nil {
		t.Fatal(err)
	}
	c.OnTopologyChange(func(TopologyEvent) {})
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	checks := map[string]error{"connect": c.Connect(ctxT(t))}
	_, checks["put"] = c.Put(ctxT(t), []byte("k"), nil, nil)
	_, checks["get"] = c.Get(ctxT(t), []byte("k"), nil)
	_, checks["delete"] = c.Delete(ctxT(t), []byte("k"), nil)
	_, checks["scan"] = c.Scan(ctxT(t), nil)
	_, checks["node status"] = c.NodeStatuses(ctxT(t))
	_, checks["vector search"] = c.VectorSearch(ctxT(t), "ns", []float32{1}, 1, nil)
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestConnectWithoutMeta(t *testing.T) {
	f := startFake(t, fakeServices{}) // no Meta service: UNIMPLEMENTED
	c := newTestClient(t, true, f.addr)
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatalf("Connect on a server without Meta: %v", err)
	}
	if c.ClusterView() != nil {
		t.Fatal("view without Meta")
	}
	if _, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil); err != nil {
		t.Fatalf("Put without views: %v", err)
	}
}

func TestConnectUnreachable(t *testing.T) {
	c := newTestClient(t, true, deadAddr(t), deadAddr(t))
	// No deadline: Connect must still return once every seed failed.
	err := c.Connect(context.Background())
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Addr == "" {
		t.Fatalf("err = %v, want *ConnectionError with an address", err)
	}
}

func increasing(e []uint64) bool {
	for i := 1; i < len(e); i++ {
		if e[i] <= e[i-1] {
			return false
		}
	}
	return true
}

func TestCloseInterruptsBackoff(t *testing.T) {
	f := startFake(t, fakeServices{})
	f.set(func(f *fakeNode) { f.onPut = failThenOK(codes.Unavailable, 1000) })
	c, err := New(Config{Nodes: []string{f.addr}, TotalShards: 16, DisableWatch: true,
		Retry: RetryConfig{MaxAttempts: 100, InitialDelay: time.Hour, MaxDelay: time.Hour, Jitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Put(context.Background(), []byte("k"), []byte("v"), nil)
		done <- err
	}()
	waitFor(t, "the first attempt", func() bool { return f.putCount() == 1 })
	_ = c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt a backoff sleep")
	}
}

func TestEpochTickWithoutChange(t *testing.T) {
	c := newTestClient(t, false, "127.0.0.1:1")
	var log eventLog
	c.OnTopologyChange(log.add)
	nodes := map[string]string{"a": "127.0.0.1:1"}
	c.applyView(view(1, 16, "a", nodes), viewSource{})
	c.applyView(view(2, 16, "a", nodes), viewSource{}) // the epoch ticks, nothing changed
	c.applyView(view(2, 16, "a", nodes), viewSource{}) // same epoch again: ignored
	waitFor(t, "two events", func() bool { return len(log.epochs()) == 2 })
	log.mu.Lock()
	ev := log.evs[1]
	log.mu.Unlock()
	if ev.PreviousEpoch != 1 || ev.CurrentEpoch != 2 || len(ev.AddedNodes)+len(ev.RemovedNodes)+len(ev.LeaderChanges) != 0 {
		t.Fatalf("tick event = %+v, want an empty diff from 1 to 2", ev)
	}
	if c.Stats().Topology.ViewsIgnored != 1 {
		t.Fatalf("ignored = %d, want 1", c.Stats().Topology.ViewsIgnored)
	}
}
