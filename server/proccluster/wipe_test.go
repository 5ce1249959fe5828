//go:build unix

package proccluster

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// One group holds every shard, so one leader and two followers decide.
const wipeShards, wipeGroups = 16, 1

// TestWipedNodeKeepsAcknowledgedWrites is the replaced-disk day: X is
// acknowledged while C is down, so only the leader A and B hold it; A
// dies, B loses its data, and B and C are started again (B with the same
// id and addresses). Before the vote hold, B (empty log, term 1) voted for
// C, which led without X and, once A returned, overwrote A's copy: X was
// gone. Now B does not vote until it has caught up with a leader, so no
// leader is elected until A is back, and A's log wins. Then B, caught up,
// votes again: with A killed once more, B and C elect a leader that
// serves X.
//
// C is killed rather than paused: a paused C finds A's AppendEntries with
// X in its socket buffer when it is continued, and appends it.
func TestWipedNodeKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: wipeShards, Groups: wipeGroups})
	// A member of a new cluster holds its vote only if the others formed
	// the cluster before it asked them (a slow start), and then not for long.
	for _, id := range c.IDs() {
		waitFor(t, id+" of a new cluster voting", func() bool {
			log := c.Log(t, id)
			return !strings.Contains(log, "not voting") || strings.Contains(log, "caught up: voting again")
		})
	}
	conns := dialAll(t, c)
	key := []byte("acknowledged")
	putOnLeader(t, c, conns, []byte("warm-up"), "1")
	a := waitLeader(t, c, 0)
	var b, cc string
	for _, id := range c.IDs() {
		switch {
		case id == a:
		case b == "":
			b = id
		default:
			cc = id
		}
	}
	c.Kill(t, cc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	_, err := conns[a].Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("X")})
	cancel()
	if err != nil {
		t.Fatalf("put X on the leader %s with %s down: %v", a, cc, err)
	}
	t.Logf("X acknowledged by %s (leader) and %s; %s down", a, b, cc)

	c.Kill(t, a)
	c.Kill(t, b)
	c.Wipe(t, b)
	c.Launch(t, cc)
	from := len(c.Log(t, b))
	c.Launch(t, b)
	// B and C either elect a leader (B is ready: the unsafe old way) or B
	// says it holds its vote; either way before A is back.
	held := "not voting in any group until it has caught up"
	waitFor(t, b+" ready or holding its vote", func() bool {
		return c.IsReady(b) || strings.Contains(c.Log(t, b)[from:], held)
	})
	if c.IsReady(b) {
		t.Logf("%s and %s elected a leader while %s was down", b, cc, a)
	}
	waitLog(t, c, b, from, held)

	c.Restart(t, a)
	c.WaitReady(t, b)
	c.WaitReady(t, cc)
	if got := readX(t, c, conns, key); got != "X" {
		t.Fatalf("acknowledged write lost: %s = %q after %s was wiped and restarted (want \"X\")", key, got, b)
	}
	waitLog(t, c, b, from, "caught up: voting again")

	c.Kill(t, a)
	if got := readX(t, c, conns, key); got != "X" {
		t.Fatalf("with %s killed again, %s and %s serve %s = %q (want \"X\")", a, b, cc, key, got)
	}
	waitFor(t, "a leader of group 0 among "+b+" and "+cc, func() bool {
		l := c.LeaderOf(t, 0)
		return l == b || l == cc
	})
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWipedNodeCatchesUpAndVotes restarts a follower without its data
// while the others run: it holds its vote, catches up from the leader,
// and votes again, which the next election needs once the leader is
// killed (the two survivors elect one only with its vote).
func TestWipedNodeCatchesUpAndVotes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: wipeShards, Groups: wipeGroups})
	conns := dialAll(t, c)
	key := []byte("before-the-wipe")
	putOnLeader(t, c, conns, key, "X")
	leader := waitLeader(t, c, 0)
	wiped := c.IDs()[0]
	if wiped == leader {
		wiped = c.IDs()[1]
	}
	from := len(c.Log(t, wiped))
	c.WipeAndRestart(t, wiped)
	if !strings.Contains(c.Log(t, wiped)[from:], "not voting in any group until it has caught up") {
		t.Fatalf("%s restarted without data and did not say it holds its vote:\n%s", wiped, c.logTail(wiped, 20))
	}
	waitLog(t, c, wiped, from, "caught up: voting again")

	c.Kill(t, leader)
	if got := readX(t, c, conns, key); got != "X" {
		t.Fatalf("after %s was killed, %s = %q (want \"X\")", leader, key, got)
	}
	waitFor(t, "a new leader of group 0", func() bool {
		l := c.LeaderOf(t, 0)
		return l != "" && l != leader
	})
}

// readX reads key linearizably from whichever node serves it, retrying
// until one answers (an election may be running), and returns its value
// or "" when the key is not found.
func readX(t *testing.T, c *Cluster, conns map[string]norikvpb.KvClient, key []byte) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		for _, id := range c.IDs() {
			if c.Proc(id) == nil {
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
	t.Fatalf("no node served a linearizable read of %s: %v", key, last)
	return ""
}

// waitLog waits until a node's stderr holds text after its first from bytes.
func waitLog(t *testing.T, c *Cluster, id string, from int, text string) {
	t.Helper()
	waitFor(t, id+" to log "+strconv.Quote(text), func() bool { return strings.Contains(c.Log(t, id)[from:], text) })
}
