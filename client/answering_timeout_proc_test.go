//go:build unix

package client_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/proccluster"
)

// TestATimedOutCallOnAnAnsweringNodeIsNotItsFailure: two of three serve
// processes stopped (SIGSTOP). Puts to every shard time out: on the stopped
// nodes (they answer nothing) and on the one left (its groups have no
// majority, so it holds them). The client marked every node whose attempt
// timed out unreachable, the live one too, until something read its view
// again, so the console (Stats, ClusterView) called the node that answered
// every poll unreachable. Now a timed-out attempt only makes routing avoid
// the node until a check (a view read) says whether it answers: the live
// node is never shown unreachable, the stopped ones are.
func TestATimedOutCallOnAnAnsweringNodeIsNotItsFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("process cluster: skipped with -short")
	}
	const shards = 16
	pc := proccluster.Start(t, proccluster.Options{Nodes: 3, Shards: shards, Groups: 4})
	c := connectedClient(t, client.Config{Nodes: pc.Addrs(), TotalShards: shards, Timeout: time.Second})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if v := c.ClusterView(); v != nil && len(v.Nodes) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the client's view did not name the three nodes")
		}
	}
	const live = "n1"
	liveAddr := pc.Addr(live)
	// A key per shard, so some Puts land on groups live leads.
	keys := map[int][]byte{}
	for i := 0; len(keys) < shards && i < 100000; i++ {
		k := []byte(fmt.Sprintf("k%d", i))
		if _, ok := keys[client.ShardForKey(k, shards)]; !ok {
			keys[client.ShardForKey(k, shards)] = k
		}
	}
	pc.Pause(t, "n2")
	pc.Pause(t, "n3")

	// Each Put ends with its own 4 s deadline; meanwhile, the nodes the
	// client calls unreachable are read as the console reads them.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, pcancel := context.WithTimeout(context.Background(), 4*time.Second)
			defer pcancel()
			_, err := c.Put(pctx, k, []byte("v"), nil)
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var liveShown, stoppedShown bool
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(20 * time.Millisecond):
		}
		u := c.Stats().Topology.UnreachableNodes
		if slices.Contains(u, live) {
			liveShown = true
		}
		if slices.Contains(u, "n2") && slices.Contains(u, "n3") {
			stoppedShown = true
		}
	}
	// The live node's groups must have held some Puts to their deadline:
	// otherwise this test proved nothing.
	heldOnLive := 0
	for _, err := range errs {
		if err == nil {
			t.Fatalf("a Put succeeded with two of three nodes stopped")
		}
		if msg := err.Error(); strings.Contains(msg, liveAddr) && strings.Contains(msg, "attempt timed out") {
			heldOnLive++
		}
	}
	t.Logf("%d of %d Puts last timed out at %s (%s); errors: %v", heldOnLive, len(errs), live, liveAddr, errs[:min(3, len(errs))])
	if liveShown {
		t.Errorf("%s (up; its groups have no majority) was shown unreachable after a Put timed out on it", live)
	}
	if !stoppedShown {
		t.Errorf("the stopped n2 and n3 were never shown unreachable together")
	}
	if heldOnLive == 0 {
		t.Skipf("no Put timed out at %s: the case was not met", live)
	}
}
