package proccluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

const leakShards, leakGroups = 48, 3

// A client leaking connections to n1, whose open-file limit is 256. Before
// the connection cap, the leak filled n1's descriptors: fresh clients
// waited in its backlog and gave up on its groups with "an election is
// probably in progress" (none was), a peer restarted meanwhile could not
// connect to it, and n1's log said nothing. Now n1 takes at most 128
// client connections (the rest of its limit kept for its logs and peers),
// closes the ones beyond at once, says so once, keeps serving the clients
// it has, lets a restarted peer in, and closes connections that never
// speak after 10 s, after which new clients reach it again.
func TestConnectionLeakLeavesTheNodeItsOwnFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	const leaky = "n1"
	c := Start(t, Options{Shards: leakShards, Groups: leakGroups, NoFile: map[string]uint64{leaky: 256}})
	waitFor(t, leaky+" leading group 0", func() bool { return c.LeaderOf(t, 0) == leaky })
	key := keyInShard(0, leakShards)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A client from before the leak keeps its connection to n1.
	before, err := client.New(client.Config{Nodes: c.Addrs(), TotalShards: leakShards, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer before.Close()
	if _, err := before.Put(ctx, key, []byte("before"), nil); err != nil {
		t.Fatalf("put before the leak: %v", err)
	}

	// The leak: 300 connections that never speak (more than n1's limit).
	var held []net.Conn
	defer func() {
		for _, h := range held {
			_ = h.Close()
		}
	}()
	for range 300 {
		d := net.Dialer{Timeout: 2 * time.Second}
		h, err := d.Dial("tcp", c.Addr(leaky))
		if err != nil {
			break // the backlog is full: the old code, out of descriptors
		}
		held = append(held, h)
	}
	waitFor(t, leaky+" saying it refuses client connections", func() bool {
		return strings.Contains(c.Log(t, leaky), "refusing new client connections")
	})
	if n := strings.Count(c.Log(t, leaky), "refusing new client connections"); n != 1 {
		t.Fatalf("%s said %d times that it refuses connections, want once per episode", leaky, n)
	}

	// Still serving the client it has.
	if _, err := before.Put(ctx, key, []byte("during"), nil); err != nil {
		t.Fatalf("put through a connection from before the leak: %v", err)
	}
	// A peer restarted during the leak connects to it and catches up.
	other := "n2"
	c.Kill(t, other)
	c.Restart(t, other)
	if _, err := before.Put(ctx, key, []byte("after-restart"), nil); err != nil {
		t.Fatalf("put after %s restarted: %v", other, err)
	}
	waitFor(t, other+" catching up from "+leaky, func() bool {
		return stalePeerHas(ctx, t, c.Addr(other), key, "after-restart")
	})

	// A fresh client is refused fast and told why, not sent after an
	// election.
	fresh, err := client.New(client.Config{Nodes: c.Addrs(), TotalShards: leakShards, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	_, err = fresh.Put(ctx, key, []byte("fresh"), nil)
	var nl *client.NoLeaderError
	if err == nil {
		// The silent connections were closed already (10 s): fine too.
		t.Logf("fresh client's put succeeded (the silent connections were already closed)")
	} else if !errors.As(err, &nl) || nl.HintedLeaderErr == "" {
		t.Fatalf("fresh client's put: %v; want a *NoLeaderError naming the unreachable leader", err)
	}
	// The silent connections are closed after 10 s: fresh clients get in.
	waitFor(t, "a fresh client's put once the silent connections are closed", func() bool {
		_, err := fresh.Put(ctx, key, []byte("fresh"), nil)
		return err == nil
	})
	waitFor(t, leaky+" saying it accepts connections again", func() bool {
		return strings.Contains(c.Log(t, leaky), "accepting client connections again")
	})
}

// keyInShard returns a key whose shard is shard.
func keyInShard(shard, total int) []byte {
	for i := 0; ; i++ {
		k := []byte(fmt.Sprintf("leak-%d", i))
		if client.ShardForKey(k, total) == shard {
			return k
		}
	}
}

// stalePeerHas reads key at stale_ok from the node at addr alone.
func stalePeerHas(ctx context.Context, t *testing.T, addr string, key []byte, want string) bool {
	c, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: leakShards, Timeout: time.Second, DisableWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Get(ctx, key, &client.GetOptions{Consistency: client.ConsistencyStaleOK})
	return err == nil && string(got.Value) == want
}
