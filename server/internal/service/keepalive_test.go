package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// TestKeepalivePingsAccepted: the client pings every 10 s on a quiet
// connection; with gRPC's default server policy (pings at most every 5
// minutes) the server answered the fourth ping (~40 s) with GOAWAY too_many_pings
// and the connection dropped. It must stay READY across idle pings.
func TestKeepalivePingsAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("idles 50 s to let the client ping")
	}
	cc, err := grpc.NewClient(tc.Addrs()[0],
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 3 * time.Second, PermitWithoutStream: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = norikvpb.NewKvClient(cc).Get(ctx, &norikvpb.GetRequest{Key: []byte("keepalive"), Consistency: "stale_ok"})
	cancel()
	if cc.GetState() != connectivity.Ready {
		t.Fatalf("connection not ready after a call (err %v): %v", err, cc.GetState())
	}
	left := make(chan connectivity.State, 1)
	watch, stop := context.WithTimeout(context.Background(), 50*time.Second)
	defer stop()
	go func() {
		if cc.WaitForStateChange(watch, connectivity.Ready) {
			left <- cc.GetState()
		}
		close(left)
	}()
	if st, ok := <-left; ok {
		t.Fatalf("idle connection left READY (%v): the server refused keepalive pings", st)
	}
}
