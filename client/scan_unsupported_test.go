package client

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// startKvOnly starts a node that implements only norikv.v1 Kv (like an
// upstream NoriKV server without the console extension) and counts the
// calls it answers UNIMPLEMENTED.
func startKvOnly(t *testing.T) (addr string, unimplemented *atomic.Int64) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(any, grpc.ServerStream) error {
		n.Add(1)
		return status.Error(codes.Unimplemented, "unknown service")
	}))
	norikvpb.RegisterKvServer(srv, &fakeKv{f: &fakeNode{}})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), &n
}

// TestScanUnsupportedStopsAtFirstUnimplemented: against a server without
// the extension, a scan of all 1024 shards sends one request, not one per
// shard, before failing with ErrUnsupported.
func TestScanUnsupportedStopsAtFirstUnimplemented(t *testing.T) {
	addr, unimpl := startKvOnly(t)
	c, err := New(Config{Nodes: []string{addr}, TotalShards: 1024, DisableWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Scan(ctxT(t), &ScanOptions{Limit: 10})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
	if n := unimpl.Load(); n != 1 {
		t.Fatalf("%d Scan requests sent, want 1 (stop at the first UNIMPLEMENTED)", n)
	}
	// A second page costs one request too.
	_, _ = c.Scan(ctxT(t), nil)
	if n := unimpl.Load(); n != 2 {
		t.Fatalf("%d Scan requests after two scans, want 2", n)
	}
}
