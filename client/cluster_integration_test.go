package client_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// startCluster starts a 3-node embedded cluster (1024 shards, 16 groups) and
// a connected client on it; both are closed at test end.
func startCluster(t testing.TB) (*cluster.Cluster, *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 1024, Groups: 16})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })
	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 1024})
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return cl, c
}

// closeCluster closes cl, but gives up after 15s: a hang in the server's
// shutdown must not hang the client's test suite (it is reported, not hidden).
func closeCluster(t testing.TB, cl *cluster.Cluster) {
	done := make(chan error, 1)
	go func() { done <- cl.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("cluster close: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Logf("cluster.Close did not return within 15s (server shutdown hang); continuing")
	}
}

func tctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestIntegration runs the whole client API against one embedded cluster.
// Subtests that move leaders run last, in order.
func TestIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	cl, c := startCluster(t)

	t.Run("PutGetDelete", func(t *testing.T) {
		ctx := tctx(t)
		v, err := c.Put(ctx, []byte("hello"), []byte("world"), nil)
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
		if v.IsZero() {
			t.Fatal("Put returned a zero version")
		}
		got, err := c.Get(ctx, []byte("hello"), nil)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if string(got.Value) != "world" || got.Version != v {
			t.Fatalf("Get = %q %+v, want world %+v", got.Value, got.Version, v)
		}
		if got.Meta["shard"] != "309" {
			t.Fatalf("meta shard = %q, want 309 (hash vectors)", got.Meta["shard"])
		}
		if want := c.Route([]byte("hello")).LeaderID; got.Meta["served_by"] != want {
			t.Fatalf("served_by %q, want the routed leader %q", got.Meta["served_by"], want)
		}
		existed, err := c.Delete(ctx, []byte("hello"), nil)
		if err != nil || !existed {
			t.Fatalf("Delete = %v, %v; want true", existed, err)
		}
		existed, err = c.Delete(ctx, []byte("hello"), nil)
		if err != nil || existed {
			t.Fatalf("second Delete = %v, %v; want false", existed, err)
		}
		if _, err := c.Get(ctx, []byte("hello"), nil); !errors.Is(err, client.ErrKeyNotFound) {
			t.Fatalf("Get after delete: %v, want ErrKeyNotFound", err)
		}
	})

	t.Run("TTL", func(t *testing.T) {
		ctx := tctx(t)
		if _, err := c.Put(ctx, []byte("ttl:1"), []byte("x"), &client.PutOptions{TTL: 300 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, []byte("ttl:1"), nil)
		if err != nil {
			t.Fatal(err)
		}
		exp := got.ExpiresAt()
		if exp.IsZero() || exp.Before(time.Now().Add(-time.Second)) || exp.After(time.Now().Add(2*time.Second)) {
			t.Fatalf("ExpiresAt = %v, want about now+300ms", exp)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := c.Get(ctx, []byte("ttl:1"), nil)
			if errors.Is(err, client.ErrKeyNotFound) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatal("key did not expire")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("CompareAndSwap", func(t *testing.T) {
		ctx := tctx(t)
		v1, err := c.Put(ctx, []byte("cas:1"), []byte("a"), nil)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := c.Put(ctx, []byte("cas:1"), []byte("b"), &client.PutOptions{IfMatchVersion: &v1})
		if err != nil {
			t.Fatalf("CAS with the right version: %v", err)
		}
		_, err = c.Put(ctx, []byte("cas:1"), []byte("c"), &client.PutOptions{IfMatchVersion: &v1})
		var vm *client.VersionMismatchError
		if !errors.As(err, &vm) {
			t.Fatalf("stale CAS: %v, want *VersionMismatchError", err)
		}
		if vm.Expected == nil || *vm.Expected != v1 || vm.Current == nil || *vm.Current != v2 {
			t.Fatalf("mismatch expected=%v current=%v, want %v and %v", vm.Expected, vm.Current, v1, v2)
		}
		_, err = c.Put(ctx, []byte("cas:missing"), []byte("c"), &client.PutOptions{IfMatchVersion: &v1})
		if !errors.As(err, &vm) || !vm.KeyMissing || !errors.Is(err, client.ErrKeyNotFound) {
			t.Fatalf("CAS on a missing key: %v, want key-missing mismatch", err)
		}
		_, err = c.Delete(ctx, []byte("cas:1"), &client.DeleteOptions{IfMatchVersion: &v1})
		if !errors.As(err, &vm) {
			t.Fatalf("stale conditional delete: %v", err)
		}
		if ok, err := c.Delete(ctx, []byte("cas:1"), &client.DeleteOptions{IfMatchVersion: &v2}); err != nil || !ok {
			t.Fatalf("conditional delete = %v, %v", ok, err)
		}
	})

	t.Run("Idempotency", func(t *testing.T) {
		ctx := tctx(t)
		opts := &client.PutOptions{IdempotencyKey: "idem-1"}
		v1, err := c.Put(ctx, []byte("idem:1"), []byte("a"), opts)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := c.Put(ctx, []byte("idem:1"), []byte("a"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if v1 != v2 {
			t.Fatalf("replay version %+v != original %+v", v2, v1)
		}
		// A replay returns the original reply even after the key changed.
		if _, err := c.Put(ctx, []byte("idem:1"), []byte("b"), nil); err != nil {
			t.Fatal(err)
		}
		v3, err := c.Put(ctx, []byte("idem:1"), []byte("a"), opts)
		if err != nil || v3 != v1 {
			t.Fatalf("late replay = %+v, %v; want the original %+v", v3, err, v1)
		}
		got, err := c.Get(ctx, []byte("idem:1"), nil)
		if err != nil || string(got.Value) != "b" {
			t.Fatalf("replay re-applied the write: %+v, %v", got, err)
		}
	})

	t.Run("Consistency", func(t *testing.T) {
		ctx := tctx(t)
		v, err := c.Put(ctx, []byte("cons:1"), []byte("x"), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []client.ConsistencyLevel{client.ConsistencyLease, client.ConsistencyLinearizable, client.ConsistencyStaleOK} {
			var got *client.GetResult
			// A stale read may briefly lag the write.
			for i := 0; i < 100; i++ {
				got, err = c.Get(ctx, []byte("cons:1"), &client.GetOptions{Consistency: level})
				if err == nil || !errors.Is(err, client.ErrKeyNotFound) || level != client.ConsistencyStaleOK {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err != nil || got.Version != v {
				t.Fatalf("Get %s = %v, %v", level, got, err)
			}
		}
	})

	t.Run("Scan", func(t *testing.T) { testScan(t, c) })
	t.Run("StaleReadsSpread", func(t *testing.T) { testStaleReadsSpread(t, c) })

	t.Run("NodeStatus", func(t *testing.T) {
		ctx := tctx(t)
		all, err := c.NodeStatuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 {
			t.Fatalf("%d statuses, want 3", len(all))
		}
		groups := 0
		for _, r := range all {
			if r.Err != nil {
				t.Fatalf("node %s: %v", r.NodeID, r.Err)
			}
			if r.Status.NodeID != r.NodeID || r.Status.TotalShards != 1024 || r.Status.TotalGroups != 16 {
				t.Fatalf("status = %+v", r.Status)
			}
			groups += len(r.Status.Groups)
		}
		if groups != 48 {
			t.Fatalf("%d group replicas, want 16 groups x 3", groups)
		}
		one, err := c.NodeStatus(ctx, "n2")
		if err != nil || one.NodeID != "n2" || one.Addr != cl.Addr("n2") {
			t.Fatalf("NodeStatus(n2) = %+v, %v", one, err)
		}
	})

	t.Run("SnapshotShard", func(t *testing.T) {
		info, err := c.SnapshotShard(tctx(t), 309)
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != 309 || len(info.Replicas) == 0 {
			t.Fatalf("snapshot info = %+v", info)
		}
	})

	t.Run("Vectors", func(t *testing.T) { testVectors(t, c) })

	t.Run("TransferShardAndEvents", func(t *testing.T) {
		ctx := tctx(t)
		key := []byte("move:1")
		r := c.Route(key)
		var target string
		for _, id := range r.Replicas {
			if id != r.LeaderID {
				target = id
				break
			}
		}
		events := make(chan client.TopologyEvent, 1024)
		unsub := c.OnTopologyChange(func(ev client.TopologyEvent) { events <- ev })
		defer unsub()
		startEpoch := c.ClusterView().Epoch
		info, err := c.TransferShard(ctx, r.Shard, target)
		if err != nil {
			t.Fatalf("TransferShard(%d -> %s): %v", r.Shard, target, err)
		}
		if info.Leader() != target {
			t.Fatalf("transfer reply leader %q, want %s", info.Leader(), target)
		}
		var last uint64
		for moved := false; !moved; {
			select {
			case ev := <-events:
				if ev.CurrentEpoch <= last || ev.CurrentEpoch <= startEpoch {
					t.Fatalf("event epoch %d after %d (start %d): not increasing", ev.CurrentEpoch, last, startEpoch)
				}
				last = ev.CurrentEpoch
				moved = ev.LeaderChanges[uint32(r.Shard)] == target
			case <-ctx.Done():
				t.Fatal("no topology event shows the move")
			}
		}
		if got := c.Route(key); got.LeaderID != target {
			t.Fatalf("route after move = %+v, want leader %s", got, target)
		}
		if _, err := c.Put(ctx, key, []byte("after move"), nil); err != nil {
			t.Fatalf("Put after move: %v", err)
		}
		_, err = c.TransferShard(ctx, r.Shard, "nope")
		var e *client.Error
		if !errors.As(err, &e) || e.Code != codes.InvalidArgument {
			t.Fatalf("transfer to a non-replica: %v, want InvalidArgument", err)
		}
	})

	t.Run("StaleLeaderCacheRedirect", func(t *testing.T) {
		// Move a leader behind the client's back (server side) and write at
		// once: the client either already saw the view or follows the
		// NOT_LEADER hint; either way the write lands.
		ctx := tctx(t)
		key := []byte("stale:1")
		r := c.Route(key)
		var target string
		for _, id := range r.Replicas {
			if id != r.LeaderID {
				target = id
			}
		}
		if err := cl.TransferShard(ctx, uint32(r.Shard), target); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(ctx, key, []byte("v"), nil); err != nil {
			t.Fatalf("Put after a server-side move: %v", err)
		}
		got, err := c.Get(ctx, key, nil)
		if err != nil || got.Meta["served_by"] != target {
			t.Fatalf("Get = %+v, %v; want served by %s", got, err, target)
		}
	})

	t.Run("RedirectsWithoutWatch", func(t *testing.T) {
		// A client that never connected (no view, no watch) learns leaders
		// only from the server's NOT_LEADER leader-hint trailers.
		ctx := tctx(t)
		blind, err := client.New(client.Config{Nodes: cl.Addrs()[:1], TotalShards: 1024, DisableWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		defer blind.Close()
		for i := 0; i < 30; i++ {
			k := []byte(fmt.Sprintf("blind:%d", i))
			if _, err := blind.Put(ctx, k, []byte("v"), nil); err != nil {
				t.Fatalf("Put %s: %v", k, err)
			}
			r := blind.Route(k)
			// (want is "" while the watching client's view shows the group
			// electing, e.g. right after the leader move above)
			// The watching client may lag a leader change by a view or two:
			// give it time to agree before calling the blind cache wrong.
			agree := func() bool {
				want := c.Route(k).LeaderAddr
				return r.LeaderAddr == want || r.LeaderAddr == "" || want == ""
			}
			if !agree() {
				waitForCond(t, fmt.Sprintf("the watching client to agree that %s leads %s", r.LeaderAddr, k), agree)
			}
		}
		st := blind.Stats().Ops["put"]
		// Redirects are followed at once; a retry can still happen on a
		// loaded machine (an attempt timing out), so only log those.
		if st.Redirects == 0 {
			t.Fatalf("put stats = %+v: want redirects followed", st)
		}
		if st.Retries != 0 {
			t.Logf("put stats = %+v: retries beside the redirects", st)
		}
		if blind.ClusterView() != nil {
			t.Fatal("a client without the watch has a view")
		}
	})

	t.Run("Stats", func(t *testing.T) {
		// A group may still be electing after the leader moves above: wait
		// for a view with every shard led.
		waitForCond(t, "a view with every shard led", func() bool { return c.Stats().Topology.CachedLeaders == 1024 })
		s := c.Stats()
		if s.Pool.ActiveConnections != 3 || s.Router.TotalNodes != 3 || s.Topology.CachedLeaders != 1024 {
			t.Fatalf("stats pool=%+v router=%+v topology=%+v", s.Pool, s.Router, s.Topology)
		}
		put := s.Ops["put"]
		if put.Calls == 0 || put.Latency.Count() != put.Calls || put.Latency.P50() <= 0 || put.Latency.P99() < put.Latency.P50() {
			t.Fatalf("put stats = calls %d, latency count %d p50 %v p99 %v", put.Calls, put.Latency.Count(), put.Latency.P50(), put.Latency.P99())
		}
		if s.Requests.ErrorsByCode["NotFound"] == 0 || s.Requests.ErrorsByCode["FailedPrecondition"] == 0 {
			t.Fatalf("errors by code = %v", s.Requests.ErrorsByCode)
		}
	})
}

// TestIntegrationNodeFailure stops the node the client watches the topology
// from, which also leads some shards: writes to its shards keep working once
// the cluster elects new leaders, and the watch moves to another node and
// keeps delivering newer views.
func TestIntegrationNodeFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	cl, c := startCluster(t)
	ctx := tctx(t)
	watched := c.Stats().Topology.WatchNode
	var victim string
	for _, id := range cl.NodeIDs() {
		if cl.Addr(id) == watched {
			victim = id
		}
	}
	if victim == "" {
		t.Fatalf("watch node %q is not a cluster node", watched)
	}
	var keys [][]byte
	for i := 0; len(keys) < 8 && i < 1000; i++ {
		k := []byte(fmt.Sprintf("fail:%d", i))
		if c.Route(k).LeaderID == victim {
			keys = append(keys, k)
		}
	}
	if len(keys) < 8 {
		t.Fatalf("found only %d keys led by %s", len(keys), victim)
	}
	events := make(chan client.TopologyEvent, 1024)
	defer c.OnTopologyChange(func(ev client.TopologyEvent) { events <- ev })()
	epoch := c.ClusterView().Epoch
	stopNode(t, cl, victim)
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The client's retry budget covers an election of a few
			// seconds; on a loaded machine one can take longer, and then
			// the Put fails with the typed ErrNoLeader, and the caller
			// tries again. Any other error fails the test.
			deadline := time.Now().Add(20 * time.Second)
			for {
				_, err := c.Put(ctx, k, []byte("during"), nil)
				if err == nil || !errors.Is(err, client.ErrNoLeader) || time.Now().After(deadline) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Put while %s is down: %v", victim, err)
		}
	}
	got, err := c.Get(ctx, keys[0], nil)
	if err != nil || string(got.Value) != "during" || got.Meta["served_by"] == victim {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	waitForCond(t, "the watch to move off the stopped node and see new leaders", func() bool {
		st := c.Stats().Topology
		return st.WatchNode != watched && st.Epoch > epoch && c.Route(keys[0]).LeaderID != victim
	})
	// Events are delivered on the subscriber's own goroutine: wait for them.
	moved := false
	for deadline := time.After(10 * time.Second); !moved; {
		select {
		case ev := <-events:
			if ev.PreviousEpoch < epoch {
				t.Fatalf("event from epoch %d older than %d", ev.PreviousEpoch, epoch)
			}
			moved = ev.LeaderChanges[uint32(client.ShardForKey(keys[0], 1024))] != ""
		case <-deadline:
			t.Fatal("no event reported the new leader")
		}
	}
	if st := c.Stats().Ops["put"]; st.Retries+st.Redirects == 0 {
		t.Fatalf("writes to a stopped leader needed no retry or redirect: %+v", st)
	}
	if err := cl.RestartNode(ctx, victim); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Put(ctx, keys[0], []byte("after"), nil); err != nil {
		t.Fatalf("Put after restart: %v", err)
	}
}

// stopNode stops a node, failing (instead of hanging the suite) if the
// server's shutdown does not return.
func stopNode(t *testing.T, cl *cluster.Cluster, id string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cl.StopNode(id) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server bug: cluster.StopNode(%s) did not return within 20s (a Raft group's close hangs in server/node Node.Close); goroutines: %s", id, dumpGoroutines())
	}
}

// dumpGoroutines writes every goroutine's stack to a temp file for the
// server's authors and returns its path.
func dumpGoroutines() string {
	f, err := os.CreateTemp("", "norikv-stopnode-hang-*.txt")
	if err != nil {
		return "(dump failed: " + err.Error() + ")"
	}
	defer f.Close()
	_ = pprof.Lookup("goroutine").WriteTo(f, 2)
	return f.Name()
}

func waitForCond(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func procs() int { return runtime.GOMAXPROCS(0) }
