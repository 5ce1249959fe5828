package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// minWait is well under the server's leader wait (heartbeat + election
// timeout, 1 s by default): a hintless NOT_LEADER must have taken at least
// this long, i.e. the node waited for a leader before giving up.
const minWait = 300 * time.Millisecond

// TestKvCallDuringElectionWaitsForALeader leaves one replica of a group
// alone (no quorum: no leader can exist), then brings a second one back.
// A Kv call on the survivor never gets an immediate NOT_LEADER pointing at
// a stopped node or at nobody: it waits for a leader and then succeeds or
// names a running one.
func TestKvCallDuringElectionWaitsForALeader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{TotalShards: 8, Groups: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	const key = "election-key"
	leader := c.LeaderOf(0)
	var survivor, other string
	for _, id := range c.NodeIDs() {
		switch {
		case id == leader:
		case survivor == "":
			survivor = id
		default:
			other = id
		}
	}
	dial := func(id string) *grpc.ClientConn {
		cc, err := grpc.NewClient(c.Addr(id), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cc.Close() })
		return cc
	}
	if _, err := norikvpb.NewKvClient(dial(leader)).Put(ctx, &norikvpb.PutRequest{Key: []byte(key), Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	sc := dial(survivor)
	kv := norikvpb.NewKvClient(sc)
	if err := c.StopNode(leader); err != nil {
		t.Fatal(err)
	}
	if err := c.StopNode(other); err != nil {
		t.Fatal(err)
	}
	// Wait until the survivor's own Raft has forgotten the stopped leader.
	for {
		st, err := consolepb.NewConsoleClient(sc).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Groups) == 1 && st.Groups[0].LeaderId == "" {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the survivor never lost its leader")
		}
		time.Sleep(20 * time.Millisecond)
	}
	running := map[string]bool{c.Addr(survivor): true, c.Addr(other): true}
	// get asks the survivor and checks the answer's shape; it returns the
	// hint when there is one.
	get := func() (ok bool, hint string) {
		var tr metadata.MD
		start := time.Now()
		res, err := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte(key)}, grpc.Trailer(&tr))
		took := time.Since(start)
		if err == nil {
			if string(res.Value) != "v" {
				t.Fatalf("value %q", res.Value)
			}
			return true, ""
		}
		if status.Code(err) != codes.Unavailable || status.Convert(err).Message() != "NOT_LEADER" {
			t.Fatalf("Get during the election: %v", err)
		}
		h := tr.Get("leader-hint")
		switch {
		case len(h) == 0 && took < minWait:
			t.Fatalf("hintless NOT_LEADER after %v: the node did not wait for a leader", took)
		case len(h) > 0 && !running[h[0]]:
			t.Fatalf("NOT_LEADER names %s, which is stopped", h[0])
		case len(h) > 0:
			return false, h[0]
		}
		return false, ""
	}
	if ok, hint := get(); ok || hint != "" {
		t.Fatalf("no quorum, yet Get answered ok=%v hint=%q", ok, hint)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := c.RestartNode(ctx, other); err != nil {
			t.Error(err)
		}
	}()
	defer wg.Wait()
	for {
		ok, hint := get()
		if ok {
			return
		}
		if hint == c.Addr(other) {
			res, err := norikvpb.NewKvClient(dial(other)).Get(ctx, &norikvpb.GetRequest{Key: []byte(key)})
			if err == nil && string(res.Value) == "v" {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatal("no leader after the restart")
		}
	}
}
