//go:build unix

package proccluster

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// BenchmarkFailoverSIGKILL measures, with real serve processes, the time
// from SIGKILL of a group's leader to the first write acknowledged on that
// group, the way a client that follows leader hints sees it. Each
// iteration kills the current leader and restarts it afterwards; run with
// -benchtime=10x for the 10 trials. Reports the median and max.
func BenchmarkFailoverSIGKILL(b *testing.B) {
	c := Start(b, Options{Shards: leaseShards, Groups: leaseGroups})
	conns := map[string]norikvpb.KvClient{}
	addrID := map[string]string{}
	for _, id := range c.IDs() {
		conns[id] = dialKV(b, c.Addr(id))
		addrID[c.Addr(id)] = id
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		key := []byte("failover-" + time.Now().Format("150405.000000"))
		leader := putOnLeaderTB(b, c, conns, key)
		b.StartTimer()
		c.Kill(b, leader)
		killed := time.Now()
		putFollowingHints(b, conns, addrID, leader, key)
		took = append(took, time.Since(killed))
		b.StopTimer()
		c.Restart(b, leader)
		waitAllLed(b, c)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "median-ms")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms")
}

// putOnLeaderTB writes key through whichever node accepts it and returns
// that node (the leader of key's group).
func putOnLeaderTB(tb testing.TB, c *Cluster, conns map[string]norikvpb.KvClient, key []byte) string {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, id := range c.IDs() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := conns[id].Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("v")})
			cancel()
			if err == nil {
				return id
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("no node accepted %s", key)
	return ""
}

// putFollowingHints retries a write like a client: to the hinted leader
// when a NOT_LEADER reply names one, else to the next node, skipping dead.
func putFollowingHints(tb testing.TB, conns map[string]norikvpb.KvClient, addrID map[string]string, dead string, key []byte) {
	tb.Helper()
	var ids []string
	for id := range conns {
		if id != dead {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	target := ids[0]
	deadline := time.Now().Add(30 * time.Second)
	for next := 1; time.Now().Before(deadline); next++ {
		var trailer metadata.MD
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, err := conns[target].Put(ctx, &norikvpb.PutRequest{Key: key, Value: []byte("w")}, grpc.Trailer(&trailer))
		cancel()
		if err == nil {
			return
		}
		if h := trailer.Get("leader-hint"); len(h) > 0 && addrID[h[0]] != "" && addrID[h[0]] != dead {
			target = addrID[h[0]]
			continue
		}
		target = ids[next%len(ids)]
		time.Sleep(5 * time.Millisecond)
	}
	tb.Fatal("no write acknowledged after the leader was killed")
}
