//go:build unix

package proccluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestTwoWipedNodesWithOtherLayoutStopWhenTheHolderReturns: n1 holds the
// cluster's data and is down; n2 and n3 are wiped and started with the
// same wrong --groups. Each asks the other: two new nodes with the same
// counts are a majority of the cluster, and the cluster-id question finds
// no cluster either (a majority of the cluster lost its data: nothing can
// tell it from a new cluster), so they form one and acknowledge writes.
// Before, that was the end of the check: when n1 came back with its data
// and other counts nobody asked it, and the three ran on with two shard
// maps. Now a node confirmed only by new nodes keeps asking the peers
// that did not answer, and stops when one holding data runs other counts.
func TestTwoWipedNodesWithOtherLayoutStopWhenTheHolderReturns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: layoutShards, Groups: layoutGroups})
	conns := dialAll(t, c)
	for s := 0; s < layoutShards; s += 8 {
		k := keyOfShard(s, layoutShards, "before")
		putOnLeader(t, c, conns, k, "v")
	}
	for _, id := range c.IDs() {
		c.Kill(t, id)
	}
	wiped := []string{"n2", "n3"}
	from := map[string]int{}
	for _, id := range wiped {
		c.Wipe(t, id)
		from[id] = len(c.Log(t, id))
		c.LaunchWith(t, id, "--groups", "8")
	}
	// They confirm each other and take writes (a new cluster as far as
	// they can tell).
	k := keyOfShard(0, layoutShards, "meanwhile")
	waitFor(t, "a write acknowledged by n2 and n3", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := conns["n2"].Put(ctx, &norikvpb.PutRequest{Key: k, Value: []byte("x")})
		return err == nil
	})
	t.Logf("n2 and n3 (--groups 8, n1 down) acknowledged a write")

	n1From := len(c.Log(t, "n1"))
	c.Launch(t, "n1")
	for _, id := range wiped {
		if !c.Exited(t, id, 30*time.Second) {
			t.Errorf("%s, started with --groups 8 on a new data dir while n1 (--groups %d, holding the cluster's data) was down, still runs 30 s after n1 came back:\n%s",
				id, layoutGroups, c.logTail(id, 8))
			continue
		}
		want := fmt.Sprintf("start %s with --shards %d --groups %d", id, layoutShards, layoutGroups)
		log := c.Log(t, id)[from[id]:]
		if !strings.Contains(log, want) || !strings.Contains(log, "n1 (holding the cluster's data)") {
			t.Errorf("%s exited without naming n1 and saying %q:\n%s", id, want, c.logTail(id, 8))
		}
		if !strings.Contains(log, "holds groups of its counts now: empty it first") {
			t.Errorf("%s exited without saying that its data dir must be emptied first:\n%s", id, c.logTail(id, 3))
		}
		t.Logf("%s:\n%s", id, c.logTail(id, 3))
	}
	waitLog(t, c, "n1", n1From, "refused n2")

}

// TestWipedNodeAloneWithOtherLayoutDoesNotVote: the whole cluster is
// down and n3 is wiped and started with other --groups. No peer answers
// either question, so after the cluster-id question's 3 s it took the
// cluster for new and voted in every group with counts nobody confirmed:
// the first peer back could win groups with its vote (n3 storing entries
// of shards it maps elsewhere, counted towards commits) before n3's next
// layout question reached it. Now its groups keep their votes held until
// its peers confirm its counts (here they never do: n1 refuses them).
func TestWipedNodeAloneWithOtherLayoutDoesNotVote(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and kills them")
	}
	c := Start(t, Options{Shards: layoutShards, Groups: layoutGroups})
	for _, id := range c.IDs() {
		c.Kill(t, id)
	}
	const wiped = "n3"
	c.Wipe(t, wiped)
	from := len(c.Log(t, wiped))
	c.LaunchWith(t, wiped, "--groups", "8")
	waitLog(t, c, wiped, from, "taking the cluster for new")

	conn, err := grpc.NewClient(c.Addr(wiped), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	console := consolepb.NewConsoleClient(conn)
	var st *consolepb.NodeStatusResponse
	waitFor(t, wiped+" answering NodeStatus", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		st, err = console.NodeStatus(ctx, &consolepb.NodeStatusRequest{})
		return err == nil
	})
	var voting []string
	if !st.GetMetaVoteHeld() {
		voting = append(voting, "meta")
	}
	for _, g := range st.GetGroups() {
		if !g.GetVoteHeld() {
			voting = append(voting, fmt.Sprintf("group %d", g.GetGroupId()))
		}
	}
	if len(voting) > 0 {
		t.Errorf("%s (new data dir, --groups 8, no peer up to confirm it) votes in %s:\n%s", wiped, strings.Join(voting, ", "), c.logTail(wiped, 5))
	}

	c.Launch(t, "n1")
	if !c.Exited(t, wiped, 30*time.Second) {
		t.Fatalf("%s still runs after n1 (--groups %d) came back:\n%s", wiped, layoutGroups, c.logTail(wiped, 8))
	}
}
