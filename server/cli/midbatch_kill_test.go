package cli

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// onLeader runs call against addrs, following NOT_LEADER hints, until it
// succeeds, fails for another reason, or ctx ends.
func onLeader(ctx context.Context, clients map[string]norikvpb.KvClient, addrs []string, call func(context.Context, norikvpb.KvClient, grpc.CallOption) error) error {
	addr := addrs[0]
	for i := 0; ; i++ {
		var tr metadata.MD
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := call(actx, clients[addr], grpc.Trailer(&tr))
		cancel()
		if err == nil {
			return nil
		}
		if c := status.Code(err); (c != codes.Unavailable && c != codes.DeadlineExceeded) || ctx.Err() != nil {
			return err
		}
		if h := tr.Get("leader-hint"); len(h) > 0 && clients[h[0]] != nil {
			addr = h[0]
		} else {
			addr = addrs[i%len(addrs)]
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestServeSIGKILLAllMidBatchKeepsAcknowledgedWrites kills all three
// `serve --fsync` nodes at once while 32 writers have Puts in flight (so
// the shared Raft log is mid group commit on every node), restarts them,
// and checks that every Put acknowledged before the kill reads back,
// linearizably, with the version it was acknowledged with.
func TestServeSIGKILLAllMidBatchKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three serve processes twice")
	}
	n := startThree(t, "--fsync")
	ports, procs, clients, argsFor := n.ports, n.procs, n.clients, n.argsFor
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	var mu sync.Mutex
	acked := map[string]*norikvpb.Version{}
	var count atomic.Int64
	wctx, stopWriters := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; wctx.Err() == nil; n++ {
				k := fmt.Sprintf("w%02d-%06d", w, n)
				var resp *norikvpb.PutResponse
				err := onLeader(wctx, clients, ports[:3], func(c context.Context, kv norikvpb.KvClient, o grpc.CallOption) error {
					var err error
					resp, err = kv.Put(c, &norikvpb.PutRequest{Key: []byte(k), Value: []byte("v-" + k)}, o)
					return err
				})
				if err != nil {
					return // the nodes are gone (or the test ends): stop writing
				}
				mu.Lock()
				acked[k] = resp.Version
				mu.Unlock()
				count.Add(1)
			}
		}()
	}
	for deadline := time.Now().Add(60 * time.Second); count.Load() < 1500 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	// SIGKILL every node while writes are in flight; no clean shutdown.
	for _, p := range procs {
		_ = p.cmd.Process.Kill()
	}
	for _, p := range procs {
		_ = p.cmd.Wait()
	}
	stopWriters()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 100 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}
	for i := range procs {
		procs[i] = startServe(t, argsFor(i))
	}
	for _, p := range procs {
		p.waitReady(t)
	}
	for k, v := range acked {
		var got *norikvpb.GetResponse
		err := onLeader(ctx, clients, ports[:3], func(c context.Context, kv norikvpb.KvClient, o grpc.CallOption) error {
			var err error
			got, err = kv.Get(c, &norikvpb.GetRequest{Key: []byte(k), Consistency: "linearizable"}, o)
			return err
		})
		if err != nil {
			t.Fatalf("acknowledged write %s lost after SIGKILL of every node: %v", k, err)
		}
		if string(got.Value) != "v-"+k || got.Version.Term != v.Term || got.Version.Index != v.Index {
			t.Fatalf("%s after restart: value %q version %v, acknowledged %v", k, got.Value, got.Version, v)
		}
	}
	t.Logf("%d acknowledged writes survived SIGKILL of all three nodes", len(acked))
}
