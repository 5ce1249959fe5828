package client

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestLateSeedOfAnotherClusterIsNamed: seeds f1, f2 of cluster A answer at
// once, f3 of cluster B 300 ms later. The first round chose A as soon as
// two of the three seeds named it and dropped f3's answer; the watch,
// settled on A, never asked f3 again, so OtherClusters never named it
// (found by CI: TestSeedsOfTwoClustersFollowOne failed once at load 8).
// Now the answers that come after the choice are still applied.
func TestLateSeedOfAnotherClusterIsNamed(t *testing.T) {
	f1, f2, f3 := startFake(t, fakeServices{meta: true}), startFake(t, fakeServices{meta: true}), startFake(t, fakeServices{meta: true})
	serve := func(id string, delay time.Duration, v *norikvpb.ClusterView) func(grpc.ServerStreamingServer[norikvpb.ClusterView]) error {
		return func(stream grpc.ServerStreamingServer[norikvpb.ClusterView]) error {
			select {
			case <-time.After(delay):
			case <-stream.Context().Done():
				return nil
			}
			if err := stream.SendHeader(metadata.Pairs(clusterIDHeader, id)); err != nil {
				return err
			}
			if err := stream.Send(v); err != nil {
				return err
			}
			<-stream.Context().Done()
			return nil
		}
	}
	viewA := view(3, 16, "a1", map[string]string{"a1": f1.addr, "a2": f2.addr})
	viewB := view(9, 16, "b1", map[string]string{"b1": f3.addr})
	f1.set(func(f *fakeNode) { f.onWatch = serve("A", 0, viewA) })
	f2.set(func(f *fakeNode) { f.onWatch = serve("A", 0, viewA) })
	f3.set(func(f *fakeNode) { f.onWatch = serve("B", 300*time.Millisecond, viewB) })

	c := newTestClient(t, true, f1.addr, f2.addr, f3.addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		others := c.OtherClusters()
		if len(others) == 1 && others[0].Addr == f3.addr {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("OtherClusters = %v 5 s after Connect, want %s (cluster B's seed, which answered after the choice)", others, f3.addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := c.ClusterView().ClusterID; got != "A" {
		t.Fatalf("following %q, want A (two of three seeds)", got)
	}
}
