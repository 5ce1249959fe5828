package cli

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The start-up probe counts a peer as up only once its gRPC server runs:
// not while its port is bound but not served (a node still opening its
// groups), nor while nothing listens.
func TestProbeRoundCountsOnlyServingPeers(t *testing.T) {
	serving, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	go func() { _ = srv.Serve(serving) }()
	defer srv.Stop()

	bound, err := net.Listen("tcp", "127.0.0.1:0") // accepts at the kernel, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer bound.Close()

	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	goneAddr := gone.Addr().String()
	_ = gone.Close()

	dial := func(addr string) *grpc.ClientConn {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cc.Close() })
		return cc
	}
	up, notServed, down := dial(serving.Addr().String()), dial(bound.Addr().String()), dial(goneAddr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The serving peer may need a few rounds under load (connecting takes
	// longer than one probe's timeout); the others must never count.
	left := []*grpc.ClientConn{up, notServed, down}
	for slices.Contains(left, up) {
		if ctx.Err() != nil {
			t.Fatal("the serving peer never answered a probe")
		}
		left = probeRound(ctx, left)
		if !slices.Contains(left, notServed) || !slices.Contains(left, down) {
			t.Fatalf("a peer that does not serve counted as up (left: %d of 3)", len(left))
		}
	}
}
