//go:build linux

package proccluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// A client leaking gRPC connections that did speak: each made a call and
// was never closed, so the node's cap (--max-client-conns) filled with
// connections that sit idle, and a silent connection's 10 s close never
// applies to them. Before, the node then refused every new client for as
// long as the leaked ones stayed open (its groups kept their leader, which
// no new client could reach). Now at the cap it closes the connection idle
// the longest (nothing read or written for 10 s) to make room, says so
// once per episode and counts it in /metrics, while a connection in use (a
// watch stream, written every second) stays open.
func TestLeakedSpeakingConnectionsMakeRoomForNewClients(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	const leaky, maxConns = "n1", 24
	c := Start(t, Options{Shards: leakShards, Groups: leakGroups, HTTP: true, Args: []string{"--max-client-conns", "24"}})
	addr := c.Addr(leaky)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dial := func() *grpc.ClientConn {
		cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		return cc
	}

	// In use throughout: a watch stream opened before the leak.
	watchConn := dial()
	defer watchConn.Close()
	watch, err := norikvpb.NewMetaClient(watchConn).WatchCluster(ctx, &norikvpb.ClusterView{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := watch.Recv(); err != nil {
		t.Fatal(err)
	}
	watchErr := make(chan error, 1)
	go func() {
		for {
			if _, err := watch.Recv(); err != nil {
				watchErr <- err
				return
			}
		}
	}()

	// The leak: connections that each make one call and stay open, idle,
	// until the cap is full (other nodes' forwarding may hold a few too).
	var leaked []*grpc.ClientConn
	defer func() {
		for _, cc := range leaked {
			_ = cc.Close()
		}
	}()
	for len(leaked) < 2*maxConns {
		cc := dial()
		leaked = append(leaked, cc)
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := norikvpb.NewKvClient(cc).Get(cctx, &norikvpb.GetRequest{Key: []byte("leak")}, grpc.WaitForReady(false))
		ccancel()
		if err != nil && strings.Contains(c.Log(t, leaky), "refusing new client connections") {
			break // the cap is full
		}
	}
	if !strings.Contains(c.Log(t, leaky), "refusing new client connections") {
		t.Fatalf("%d leaked connections did not fill %s's cap of %d", len(leaked), leaky, maxConns)
	}

	// A fresh client gets in once the leaked ones have been idle a while.
	waitFor(t, "a fresh client's put through "+leaky, func() bool {
		fresh, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: leakShards, Timeout: time.Second, DisableWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		_, err = fresh.Put(ctx, keyInShard(0, leakShards), []byte("fresh"), nil)
		return err == nil
	})
	// More new clients: each makes room again, said once.
	for i := range 5 {
		fresh, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: leakShards, Timeout: time.Second, DisableWatch: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.Put(ctx, keyInShard(0, leakShards), []byte("again"), nil); err != nil {
			t.Fatalf("fresh client %d: %v", i, err)
		}
		_ = fresh.Close() // closed: its place is free for the next one anyway
	}
	log := c.Log(t, leaky)
	if n := strings.Count(log, "closing client connections idle the longest"); n != 1 {
		t.Errorf("%s said %d times that it closes idle connections, want once per episode:\n%s", leaky, n, log)
	}
	_, metrics := httpGet(c.HTTPAddr(leaky), "/metrics")
	if !strings.Contains(metrics, "\nnorikv_client_connections_evicted_total ") || strings.Contains(metrics, "\nnorikv_client_connections_evicted_total 0\n") {
		t.Errorf("%s's /metrics does not count the idle connections it closed", leaky)
	}
	select {
	case err := <-watchErr:
		t.Fatalf("the watch stream in use was ended: %v", err)
	default:
	}
}
