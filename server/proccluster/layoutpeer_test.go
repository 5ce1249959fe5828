//go:build unix

package proccluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/topology"
)

const layoutShards, layoutGroups = 64, 4

// TestWipedNodeWithOtherLayoutIsRefused is the operator's bad day: n3's
// disk is replaced and n3 is started again with other --groups (then
// other --shards) than the cluster was made with. Its data dir is new, so
// its own layout marker cannot object. Before the peer check it started,
// joined groups 0..G-1 by number and mapped shards to them by its own
// ranges: writes through it landed in groups where the others do not look
// for them (acknowledged, then not found). Now it asks its peers for
// their counts before it opens a group and exits with one line naming
// both and the flags to use; the peers log once what they refused. Every
// acknowledged write reads back, and n3 started with the cluster's counts
// joins and catches up.
func TestWipedNodeWithOtherLayoutIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: layoutShards, Groups: layoutGroups, Fsync: true})
	conns := dialAll(t, c)
	acked := map[string]string{}
	for s := 0; s < layoutShards; s++ {
		k := keyOfShard(s, layoutShards, "before")
		putOnLeader(t, c, conns, k, "v-"+string(k))
		acked[string(k)] = "v-" + string(k)
	}
	const wiped = "n3"
	c.Kill(t, wiped)
	c.Wipe(t, wiped)

	want := fmt.Sprintf("start %s with --shards %d --groups %d", wiped, layoutShards, layoutGroups)
	for _, flags := range [][]string{{"--groups", "8"}, {"--shards", "128"}} {
		from := len(c.Log(t, wiped))
		peerFrom := map[string]int{}
		for _, id := range c.IDs() {
			peerFrom[id] = len(c.Log(t, id))
		}
		c.LaunchWith(t, wiped, flags...)
		// It exits at once (one round trip to a peer); 30 s is only a
		// bound for a busy machine.
		if !c.Exited(t, wiped, 30*time.Second) {
			// The old way: show what a node with other counts does.
			lost := writeThroughAndReadBack(t, c, conns, wiped, strings.Join(flags, ""), acked)
			t.Errorf("%s wiped and started with %s ran in a cluster of --shards %d --groups %d; %d of %d writes acknowledged through it are not found through the others",
				wiped, strings.Join(flags, " "), layoutShards, layoutGroups, lost, layoutShards)
			c.Kill(t, wiped)
			c.Wipe(t, wiped) // its marker holds the other counts now
		} else {
			log := c.Log(t, wiped)[from:]
			t.Logf("%s with %s exited:\n%s", wiped, strings.Join(flags, " "), strings.TrimSpace(log))
			if !strings.Contains(log, want) {
				t.Errorf("%s started with %s exited without saying %q:\n%s", wiped, strings.Join(flags, " "), want, c.logTail(wiped, 10))
			}
			// The peers said once why they refused it.
			for _, id := range c.IDs() {
				if id == wiped {
					continue
				}
				waitLog(t, c, id, peerFrom[id], "refused "+wiped)
				plog := c.Log(t, id)[peerFrom[id]:]
				t.Logf("%s: %s", id, plog[strings.Index(plog, id+" refused "+wiped):][:strings.Index(plog[strings.Index(plog, id+" refused "+wiped):], "\n")])
				if n := strings.Count(plog, "refused "+wiped); n != 1 {
					t.Errorf("%s logged its refusal of %s %d times (want once):\n%s", id, wiped, n, c.logTail(id, 10))
				}
			}
		}
	}

	// Every acknowledged write reads back from its group.
	for k, v := range acked {
		if got := readElsewhere(t, c, conns, wiped, []byte(k)); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// With the cluster's counts it joins and catches up, on the same dir
	// (the refused starts left no marker of their counts in it).
	from := len(c.Log(t, wiped))
	c.LaunchWith(t, wiped)
	c.WaitReady(t, wiped)
	waitLog(t, c, wiped, from, "caught up: voting again")
	for k, v := range acked {
		waitFor(t, wiped+" holding "+k, func() bool { return staleGet(conns[wiped], []byte(k)) == v })
	}
}

// keyOfShard returns a key starting with prefix in shard s of total.
func keyOfShard(s, total int, prefix string) []byte {
	for i := 0; ; i++ {
		k := []byte(fmt.Sprintf("%s-%d", prefix, i))
		if int(topology.ShardOf(k, total)) == s {
			return k
		}
	}
}

// writeThroughAndReadBack writes a key per shard through node id (which
// runs with other counts than the cluster) and reads each back through
// the other nodes, returning how many they do not find. Found keys join
// acked.
func writeThroughAndReadBack(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, id, tag string, acked map[string]string) (lost int) {
	t.Helper()
	for s := 0; s < layoutShards; s++ {
		k := keyOfShard(s, layoutShards, "through-"+id+tag)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := conns[id].Put(ctx, &norikvpb.PutRequest{Key: k, Value: []byte("x")})
		cancel()
		if err != nil {
			t.Logf("put %s (shard %d) through %s: %v", k, s, id, err)
			continue
		}
		if readElsewhere(t, c, conns, id, k) != "x" {
			lost++
			t.Logf("%s (shard %d) acknowledged through %s, not found through the others", k, s, id)
		} else {
			acked[string(k)] = "x"
		}
	}
	return lost
}

// readElsewhere reads key linearizably through whichever node but skip
// serves it, retrying while none does (an election), and returns "" when
// the key is not found.
func readElsewhere(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, skip string, key []byte) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		for _, id := range c.IDs() {
			if id == skip || c.Proc(id) == nil {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			res, err := conns[id].Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "linearizable"})
			cancel()
			if status.Code(err) == codes.NotFound {
				return ""
			}
			if err == nil {
				return string(res.GetValue())
			}
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no node but %s served a linearizable read of %s: %v", skip, key, last)
	return ""
}

// staleGet reads key from the node's own replica ("" when missing or failing).
func staleGet(kv norikvpb.KvClient, key []byte) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	res, err := kv.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "stale_ok"})
	if err != nil {
		return ""
	}
	return string(res.GetValue())
}

// TestWipedNodeWithOtherLayoutStopsWhenPeersReturn: the whole cluster is
// down when wiped n3 is started with other --groups, so no peer answers
// its question and it starts. When n1 comes back with its data, n3's
// next question is answered with the cluster's counts and n3 exits with
// the line (before, it ran on with its own shard ranges).
func TestWipedNodeWithOtherLayoutStopsWhenPeersReturn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: layoutShards, Groups: layoutGroups})
	const wiped = "n3"
	for _, id := range c.IDs() {
		c.Kill(t, id)
	}
	c.Wipe(t, wiped)
	from := len(c.Log(t, wiped))
	c.LaunchWith(t, wiped, "--groups", "8")
	// No peer answers: it starts (and says so; the old code said it took
	// the cluster for new).
	waitFor(t, wiped+" started without its peers", func() bool {
		log := c.Log(t, wiped)[from:]
		return strings.Contains(log, "asking again until they do") || strings.Contains(log, "taking the cluster for new")
	})
	c.Launch(t, "n1")
	if !c.Exited(t, wiped, 30*time.Second) {
		t.Fatalf("%s started with --groups 8 while its peers were down still runs after n1 (--groups %d) came back:\n%s", wiped, layoutGroups, c.logTail(wiped, 10))
	}
	want := fmt.Sprintf("start %s with --shards %d --groups %d", wiped, layoutShards, layoutGroups)
	if log := c.Log(t, wiped)[from:]; !strings.Contains(log, want) {
		t.Fatalf("%s exited without saying %q:\n%s", wiped, want, c.logTail(wiped, 10))
	}
	t.Logf("%s:\n%s", wiped, c.logTail(wiped, 3))
}
