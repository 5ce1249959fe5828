package client_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster"
)

// blackHole listens and never accepts: the kernel completes TCP handshakes
// into the backlog, and nothing ever answers (gRPC waits for the HTTP/2
// preface, by default for 20s).
func blackHole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().String()
}

// muteAcceptor accepts connections and stays silent, never reading.
func muteAcceptor(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

// muteMeta is a node whose WatchCluster accepts the stream and never sends.
type muteMeta struct {
	norikvpb.UnimplementedMetaServer
}

func (muteMeta) WatchCluster(_ *norikvpb.ClusterView, s grpc.ServerStreamingServer[norikvpb.ClusterView]) error {
	<-s.Context().Done()
	return nil
}

func muteWatchNode(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	norikvpb.RegisterMetaServer(srv, muteMeta{})
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	return l.Addr().String()
}

// TestConnectWithHostileSeeds: seeds = a TCP black hole, a mute acceptor, a
// node whose watch never sends, then three healthy nodes, Timeout 1s.
// Connect returns within about Timeout (it took 20s, or never returned),
// the watch ends up on a healthy node, and requests work.
func TestConnectWithHostileSeeds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 1024, Groups: 16})
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	bad := []string{blackHole(t), muteAcceptor(t), muteWatchNode(t)}
	healthy := cl.Addrs()
	for _, watch := range []bool{true, false} {
		name := "watch"
		if !watch {
			name = "no-watch"
		}
		t.Run(name, func(t *testing.T) {
			c, err := client.New(client.Config{Nodes: append(slices.Clone(bad), healthy...), TotalShards: 1024,
				Timeout: time.Second, DisableWatch: !watch})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
			defer ccancel()
			start := time.Now()
			err = connectAgain(cctx, c)
			took := time.Since(start)
			t.Logf("Connect with 3 hostile seeds first: %v (%v)", took, err)
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			// Generous bound for a loaded machine (a round missed on a
			// starved one is asked again); the old client took 20s (black
			// hole) or never returned (mute watch).
			if took > 15*time.Second {
				t.Fatalf("Connect took %v with Timeout 1s and healthy seeds", took)
			}
			if watch {
				deadline := time.Now().Add(10 * time.Second)
				for c.Stats().Topology.WatchNode == "" && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				for range 3 { // the watch stays on healthy nodes
					if w := c.Stats().Topology.WatchNode; !slices.Contains(healthy, w) {
						t.Fatalf("watch streams from %s, not a healthy node %v", w, healthy)
					}
					time.Sleep(500 * time.Millisecond)
				}
			}
			pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
			defer pcancel()
			if _, err := c.Put(pctx, []byte("hostile-seeds"), []byte("v"), nil); err != nil {
				t.Fatalf("Put: %v", err)
			}
		})
	}
}

// TestConnectAllSeedsHostile: with no healthy seed Connect fails after about
// Timeout with a *ConnectionError naming what went wrong.
func TestConnectAllSeedsHostile(t *testing.T) {
	seeds := []string{blackHole(t), muteAcceptor(t), muteWatchNode(t)}
	for _, watch := range []bool{true, false} {
		c, err := client.New(client.Config{Nodes: seeds, TotalShards: 1024, Timeout: 500 * time.Millisecond, DisableWatch: !watch})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		start := time.Now()
		err = c.Connect(ctx)
		took := time.Since(start)
		cancel()
		_ = c.Close()
		var ce *client.ConnectionError
		if !errors.As(err, &ce) {
			t.Fatalf("watch=%v: err = %v, want *ConnectionError", watch, err)
		}
		if took > 5*time.Second {
			t.Fatalf("watch=%v: Connect took %v with Timeout 500ms", watch, took)
		}
		t.Logf("watch=%v: %v after %v", watch, err, took)
	}
}
