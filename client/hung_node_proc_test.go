//go:build unix

package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/proccluster"
)

// procClient starts a 3-node `serve` process cluster and a connected client
// with Timeout 1s.
func procClient(t *testing.T) (*proccluster.Cluster, *client.Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: 1024, Groups: 16})
	c, err := client.New(client.Config{Nodes: pc.Addrs(), TotalShards: 1024, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return pc, c
}

// pauseLeaderOf warms the client's leader cache for key, then SIGSTOPs the
// leader of key's group (resumed at test end) and returns its id.
func pauseLeaderOf(t *testing.T, pc *proccluster.Cluster, c *client.Client, key []byte) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, key, []byte("before"), nil); err != nil {
		t.Fatalf("warm-up Put: %v", err)
	}
	leader := waitProcLeader(t, pc, client.ShardForKey(key, 1024))
	if r := c.Route(key); r.LeaderAddr != pc.Addr(leader) {
		t.Logf("client routes %s to %s, cluster leader is %s (%s)", key, r.LeaderAddr, leader, pc.Addr(leader))
	}
	pc.Pause(t, leader)
	watchFailover(t, pc, leader, key)
	t.Cleanup(func() {
		if pc.Paused(leader) {
			pc.Resume(t, leader)
		}
	})
	return leader
}

// TestHungLeaderPutAndLinearizableGet: with the leader of a key's group
// SIGSTOPped, a Put and then a linearizable Get with 5s deadlines and
// Timeout 1s succeed once the cluster failed over. The old client retried
// the hung address until the caller's deadline (DeadlineExceeded after 5s).
func TestHungLeaderPutAndLinearizableGet(t *testing.T) {
	pc, c := procClient(t)
	key := []byte("hung-leader-put")
	leader := pauseLeaderOf(t, pc, c, key)

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err := c.Put(ctx, key, []byte("after"), nil)
	cancel()
	putTook := time.Since(start)
	if err != nil {
		t.Fatalf("Put with leader %s paused: %v after %v", leader, err, putTook)
	}
	start = time.Now()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	got, err := c.Get(ctx, key, &client.GetOptions{Consistency: client.ConsistencyLinearizable})
	cancel()
	getTook := time.Since(start)
	if err != nil || string(got.Value) != "after" {
		t.Fatalf("linearizable Get with leader %s paused: %v, %v after %v", leader, got, err, getTook)
	}
	st := c.Stats().Ops["put"]
	t.Logf("leader %s paused: Put %v (retries %d, redirects %d), then linearizable Get %v",
		leader, putTook.Round(time.Millisecond), st.Retries, st.Redirects, getTook.Round(time.Millisecond))
}

// TestHungLeaderLinearizableGetFirst: the same with the linearizable Get as
// the first call after the pause (it must not hang on the paused node
// either).
func TestHungLeaderLinearizableGetFirst(t *testing.T) {
	pc, c := procClient(t)
	key := []byte("hung-leader-get")
	leader := pauseLeaderOf(t, pc, c, key)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	got, err := c.Get(ctx, key, &client.GetOptions{Consistency: client.ConsistencyLinearizable})
	cancel()
	took := time.Since(start)
	if err != nil || string(got.Value) != "before" {
		t.Fatalf("linearizable Get with leader %s paused: %v, %v after %v", leader, got, err, took)
	}
	t.Logf("leader %s paused: linearizable Get %v", leader, took.Round(time.Millisecond))
}

// waitProcLeader polls the cluster's view until shard has a leader.
func waitProcLeader(t *testing.T, pc *proccluster.Cluster, shard int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if l := pc.LeaderOf(t, shard); l != "" {
			return l
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("shard %d has no leader after 20s", shard)
	return ""
}

// settle waits until the cluster's epoch stopped moving (a new cluster's
// first epochs move on their own as groups elect leaders) and the client has
// it; it returns that epoch.
func settle(t *testing.T, pc *proccluster.Cluster, c *client.Client) uint64 {
	t.Helper()
	var epoch uint64
	stable := 0
	for deadline := time.Now().Add(20 * time.Second); stable < 3 && time.Now().Before(deadline); {
		v := pc.View(t)
		if v != nil && v.Epoch == c.ClusterView().Epoch && v.Epoch == epoch {
			stable++
		} else {
			stable = 0
		}
		if v != nil {
			epoch = v.Epoch
		}
		time.Sleep(500 * time.Millisecond)
	}
	return epoch
}

// watchFailover measures, for the log, when the cluster itself failed over:
// the first raw Put of key through a node other than the paused leader
// that succeeds (retrying every 20ms).
func watchFailover(t *testing.T, pc *proccluster.Cluster, paused string, key []byte) {
	shard := client.ShardForKey(key, 1024)
	var probe []byte
	for i := 0; probe == nil; i++ {
		if k := []byte(fmt.Sprintf("failover-probe-%d", i)); client.ShardForKey(k, 1024) == shard {
			probe = k
		}
	}
	start := time.Now()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(done)
		var stubs []norikvpb.KvClient
		for _, id := range pc.IDs() {
			if id == paused {
				continue
			}
			conn, err := grpc.NewClient(pc.Addr(id), grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				return
			}
			defer conn.Close()
			stubs = append(stubs, norikvpb.NewKvClient(conn))
		}
		for i := 0; time.Since(start) < 10*time.Second; i++ {
			select {
			case <-stopped:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			_, err := stubs[i%len(stubs)].Put(ctx, &norikvpb.PutRequest{Key: probe, Value: []byte("x")})
			cancel()
			if err == nil {
				t.Logf("cluster failover: a raw Put through another node first succeeded %v after the pause", time.Since(start).Round(time.Millisecond))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() {
		close(stopped)
		<-done
	})
}
