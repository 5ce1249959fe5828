package cli

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The start-up probe counts a peer as up only once its gRPC server runs:
// not while its port is bound but not served (a node still opening its
// groups), nor while nothing listens; and it notices a server that starts
// on a port bound all along.
func TestWaitServingOnlyForServingPeers(t *testing.T) {
	serve := func(ln net.Listener) {
		srv := grpc.NewServer()
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(srv.Stop)
	}
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		return ln
	}
	dial := func(addr string) *grpc.ClientConn {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cc.Close() })
		return cc
	}
	running := listen()
	serve(running)
	bound := listen() // accepts at the kernel, never answers
	gone := listen()
	goneAddr := gone.Addr().String()
	_ = gone.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !waitServing(ctx, dial(running.Addr().String())) {
		t.Fatal("a serving peer did not count as up")
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if waitServing(short, dial(bound.Addr().String())) {
		t.Error("a peer whose port is bound but not served counted as up")
	}
	if waitServing(short, dial(goneAddr)) {
		t.Error("a port nobody listens on counted as up")
	}

	late := listen()
	cc := dial(late.Addr().String())
	done := make(chan bool, 1)
	go func() { done <- waitServing(ctx, cc) }()
	select {
	case <-done:
		t.Fatal("a peer counted as up before its server ran")
	case <-time.After(100 * time.Millisecond):
	}
	serve(late)
	if !<-done {
		t.Fatal("a peer whose server started on its bound port never counted as up")
	}
}
