package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client/internal/hashing"
	"github.com/norikv/norikv-console/server/cluster"
)

// On a real 3-node cluster of 6 groups (the server's default; 170/171
// shards a group, so 4 of the 64 key blocks straddle a group edge), the
// client learns the group count from the watch's x-norikv-groups header
// and every Put's generated idempotency key is owned by the write's own
// group: the servers claim none in another group
// (norikv_idem_claims_total stays 0). Drawing by block alone, about 2.8% of
// uniform writes, and most writes to a straddling block's smaller side,
// paid a claim in the other group (one more replicated entry first).
func TestIdemKeysNeedNoClaimOnSixGroups(t *testing.T) {
	const shards, groups = 1024, 6
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		cl   *cluster.Cluster
		base int
		err  error
	)
	for range 20 {
		base = 20000 + rand.IntN(40000)
		if !portsFree(base, 3) {
			continue
		}
		if cl, err = cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: shards, Groups: groups, HTTPBasePort: base}); err == nil {
			break
		}
	}
	if cl == nil {
		t.Fatalf("start cluster with metrics ports: %v", err)
	}
	defer func() { _ = cl.Close() }()
	c, err := New(Config{Nodes: cl.Addrs(), TotalShards: shards})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	waitFor(t, "the client to learn the group count", func() bool { return c.sh().idem.groups.Load() == groups })

	// Keys in the straddling blocks (where block-only keys cross groups),
	// then uniform ones.
	var keys []string
	for i := 0; len(keys) < 150; i++ {
		k := "idem-edge-" + strconv.Itoa(i)
		s := hashing.Shard([]byte(k), shards)
		b := s / idemBlock(shards)
		first, last := b*idemBlock(shards), (b+1)*idemBlock(shards)-1
		if groupOfShard(first, groups, shards) != groupOfShard(last, groups, shards) {
			keys = append(keys, k)
		}
	}
	for i := range 150 {
		keys = append(keys, "idem-any-"+strconv.Itoa(i))
	}
	for _, k := range keys {
		if _, err := c.Put(ctx, []byte(k), []byte("v"), nil); err != nil {
			t.Fatalf("Put %s: %v", k, err)
		}
	}
	n, err := idemClaims(ctx, base, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d Puts made %d idempotency-key claims in another group, want 0", len(keys), n)
	}

	// The counter counts: a key chosen in another group is claimed there.
	key := "idem-control"
	own := groupOfShard(hashing.Shard([]byte(key), shards), groups, shards)
	var idem string
	for i := 0; ; i++ {
		idem = "control-" + strconv.Itoa(i)
		if groupOfShard(hashing.Shard([]byte(idem), shards), groups, shards) != own {
			break
		}
	}
	if _, err := c.Put(ctx, []byte(key), []byte("v"), &PutOptions{IdempotencyKey: idem}); err != nil {
		t.Fatalf("Put with a key of another group: %v", err)
	}
	if n, err := idemClaims(ctx, base, 3); err != nil || n != 1 {
		t.Fatalf("after one Put whose idempotency key is another group's: %d claims (%v), want 1", n, err)
	}
}

// idemClaims sums norikv_idem_claims_total over the nodes' /metrics.
func idemClaims(ctx context.Context, base, nodes int) (int, error) {
	total, seen, err := sumMetric(ctx, base, nodes, func(line string) bool {
		f := strings.Fields(line)
		return len(f) == 2 && f[0] == "norikv_idem_claims_total"
	})
	if err == nil && seen != nodes {
		err = fmt.Errorf("%d of %d nodes' /metrics have no norikv_idem_claims_total", nodes-seen, nodes)
	}
	return total, err
}
