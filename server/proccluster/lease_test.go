//go:build unix

package proccluster

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// envLeaseRounds raises the number of rounds of TestLeaseReadsAfterLeaderPause
// (e.g. NORIKV_LEASE_ROUNDS=40 for a long soak).
const envLeaseRounds = "NORIKV_LEASE_ROUNDS"

// TestLeaseReadsAfterLeaderPause is issue 9 §1's reproduction: the leader L
// of a key's group is paused with SIGSTOP, the others elect a new leader and
// acknowledge K=new, and only then reads at "" and "lease" are sent to L,
// which is continued 200 ms later. L may answer NOT_LEADER or time out, but
// never with the old value: its lease ran out while it was stopped.
func TestLeaseReadsAfterLeaderPause(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and pauses them")
	}
	rounds := 6
	if v, err := strconv.Atoi(os.Getenv(envLeaseRounds)); err == nil && v > 0 {
		rounds = v
	}
	c := Start(t, Options{Shards: leaseShards, Groups: leaseGroups, Fsync: true})
	conns := dialAll(t, c)
	var stale, fresh, refused int
	for r := 0; r < rounds; r++ {
		load := r%2 == 0
		s, f, e := leaseRound(t, c, conns, r, load)
		stale, fresh, refused = stale+s, fresh+f, refused+e
	}
	t.Logf("%d rounds: %d stale, %d fresh, %d refused reads", rounds, stale, fresh, refused)
	if stale > 0 {
		t.Fatalf("%d reads sent to a paused ex-leader after the new value was acknowledged returned the old value", stale)
	}
}

// The layout of the lease tests' clusters (the serve defaults).
const leaseShards, leaseGroups = 1024, 16

// leaseRound writes "old" to a key in every group, pauses the leader of
// group round*3 (mod groups), writes "new" through the others to the keys
// of every group it led, and reads those keys from it around its resume.
// It returns how many reads came back with the old value, the new one, or
// an error.
func leaseRound(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, round int, load bool) (stale, fresh, refused int) {
	t.Helper()
	var keys [][]byte
	leaders := map[string][][]byte{}
	for g := 0; g < leaseGroups; g++ {
		key := keyInGroup(t, g, leaseShards, leaseGroups, fmt.Sprintf("lease-%d", round))
		keys = append(keys, key)
		id := putOnLeader(t, c, conns, key, "old")
		leaders[id] = append(leaders[id], key)
	}
	leader := putOnLeader(t, c, conns, keys[(round*3)%leaseGroups], "old")
	mine := leaders[leader]
	if load {
		stopLoad := writeLoad(t, conns[leader], mine)
		time.Sleep(300 * time.Millisecond)
		c.Pause(t, leader)
		stopLoad()
	} else {
		c.Pause(t, leader)
	}
	resumed := false
	defer func() {
		if !resumed {
			c.Resume(t, leader)
		}
	}()
	// The others take over and acknowledge the new values.
	for _, key := range mine {
		putElsewhere(t, conns, leader, key, "new")
	}
	// Only now read from the paused ex-leader, at both lease levels: a wave
	// that waits in its sockets, and one right after it continues.
	var wg sync.WaitGroup
	var nStale, nFresh, nRefused atomic.Int32
	wave := func() {
		for _, key := range mine {
			for _, level := range []string{"", "lease", "", "lease"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					defer cancel()
					resp, err := conns[leader].Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: level})
					switch {
					case err != nil:
						nRefused.Add(1)
					case string(resp.Value) == "old":
						nStale.Add(1)
					default:
						nFresh.Add(1)
					}
				}()
			}
		}
	}
	wave()
	time.Sleep(200 * time.Millisecond)
	c.Resume(t, leader)
	resumed = true
	wave()
	wg.Wait()
	t.Logf("round %d: paused %s (led %d groups, load %v): %d stale, %d fresh, %d refused reads",
		round, leader, len(mine), load, nStale.Load(), nFresh.Load(), nRefused.Load())
	waitAllLed(t, c)
	return int(nStale.Load()), int(nFresh.Load()), int(nRefused.Load())
}

// putElsewhere writes key=value through any node but skip, retrying until
// one acknowledges it.
func putElsewhere(t *testing.T, conns map[string]norikvpb.KvClient, skip string, key []byte, value string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for id, kv := range conns {
			if id == skip {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := kv.Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte(value)})
			cancel()
			if err == nil {
				return
			}
		}
	}
	t.Fatalf("no node but %s acknowledged %s=%s", skip, key, value)
}

// putOnLeader writes key=value through its group's leader and returns that
// leader's id.
func putOnLeader(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, key []byte, value string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, id := range c.IDs() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := conns[id].Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte(value)})
			cancel()
			if err == nil {
				return id
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no node accepted %s=%s", key, value)
	return ""
}

// writeLoad keeps the leader busy with writes to its groups until stopped.
func writeLoad(t *testing.T, kv norikvpb.KvClient, groupKeys [][]byte) (stop func()) {
	var keys [][]byte
	for _, key := range groupKeys {
		g := groupOf(key, leaseShards, leaseGroups)
		for i := 0; i < 8; i++ {
			keys = append(keys, keyInGroup(t, g, leaseShards, leaseGroups, fmt.Sprintf("%s/load-%d", key, i)))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				cctx, ccancel := context.WithTimeout(ctx, time.Second)
				_, _ = kv.Put(cctx, &norikvpb.PutRequest{Key: keys[(w*7+i)%len(keys)], Value: []byte("x")})
				ccancel()
			}
		}()
	}
	// Writes in flight at the pause stay in flight: stop does not wait.
	return func() { cancel(); go wg.Wait() }
}

// waitAllLed waits until every node is up and the view names a leader for
// every shard, so the next round starts from a settled cluster.
func waitAllLed(t testing.TB, c *Cluster) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if v := c.View(t); v != nil && allLed(v) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("cluster did not settle after the pause")
}

func allLed(v *norikvpb.ClusterView) bool {
	for _, s := range v.Shards {
		led := false
		for _, r := range s.Replicas {
			led = led || r.Leader
		}
		if !led {
			return false
		}
	}
	return true
}

func dialAll(t *testing.T, c *Cluster) map[string]norikvpb.KvClient {
	t.Helper()
	out := map[string]norikvpb.KvClient{}
	for _, id := range c.IDs() {
		out[id] = dialKV(t, c.Addr(id))
	}
	return out
}

// dialKV returns a Kv client of the node at addr, closed at cleanup.
func dialKV(tb testing.TB, addr string) norikvpb.KvClient {
	tb.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return norikvpb.NewKvClient(conn)
}

// keyInGroup returns a key starting with prefix that routes to group g.
func keyInGroup(t *testing.T, g, shards, groups int, prefix string) []byte {
	t.Helper()
	for i := 0; i < 100000; i++ {
		k := []byte(prefix + "-" + strconv.Itoa(i))
		if groupOf(k, shards, groups) == g {
			return k
		}
	}
	t.Fatalf("no key for group %d", g)
	return nil
}

func groupOf(key []byte, shards, groups int) int {
	return int(topology.ShardOf(key, shards)) * groups / shards
}
