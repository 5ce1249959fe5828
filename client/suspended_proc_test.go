//go:build unix

package client_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// envSuspendedChild makes TestSuspendedClientChild run: the client process
// TestSuspendedClientDoesNotBlameTheNodes stops and continues. Its value is
// the cluster's addresses, comma separated.
const envSuspendedChild = "NORIKV_TEST_SUSPENDED_CHILD"

// TestSuspendedClientDoesNotBlameTheNodes: the process holding a client is
// suspended (SIGSTOP, Ctrl-Z, a paused VM) for longer than
// Config.WatchSilence, on a healthy cluster, then continued. Found in tmux
// with the console stopped for 19 s: on SIGCONT its watch's watchdog woke
// first, saw the stream silent for 19 s (the node's heartbeats waiting
// unread in the socket) and marked the watched node failed, so the console
// said 'cannot reach n2' and 20 ms later 'reachable again: n2'. The client
// runs in a child process (this test binary again) that prints its
// unreachable nodes; none may appear after it is continued.
func TestSuspendedClientDoesNotBlameTheNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("client in a child process, suspended 6 s: skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, lines := startClientChild(t, ctx, "TestSuspendedClientChild", envSuspendedChild)
	// read returns the child's lines until d passes; a closed pipe ends it.
	read := func(d time.Duration) (got []string, open bool) {
		end := time.After(d)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return got, false
				}
				got = append(got, l)
			case <-end:
				return got, true
			}
		}
	}
	for ready := false; !ready; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the client process ended before it connected")
			}
			ready = l == "ready"
		case <-ctx.Done():
			t.Fatal("the client process did not connect within 30 s")
		}
	}
	// Settled: a cluster that just started may still move leaders.
	read(2 * time.Second)

	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * client.DefaultWatchSilence)
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	got, open := read(4 * time.Second)
	if !open {
		t.Fatalf("the client process ended after SIGCONT: %q", got)
	}
	for _, l := range got {
		if strings.HasPrefix(l, "unreachable") {
			t.Fatalf("after the client's process was suspended %s on a healthy cluster: %q (first lines after SIGCONT: %q)",
				3*client.DefaultWatchSilence, l, got[:min(len(got), 5)])
		}
	}
	if len(got) == 0 {
		t.Fatal("the client process printed nothing after SIGCONT")
	}
}

// TestSuspendedClientChild is the client process of
// TestSuspendedClientDoesNotBlameTheNodes (skipped otherwise): it connects
// with the default config, says "ready", then every 20 ms prints the nodes
// it deems unreachable ("unreachable n2") or "ok", until it is killed.
func TestSuspendedClientChild(t *testing.T) {
	addrs := os.Getenv(envSuspendedChild)
	if addrs == "" {
		t.Skip("the child process of TestSuspendedClientDoesNotBlameTheNodes")
	}
	c := connectedClient(t, client.Config{Nodes: strings.Split(addrs, ","), TotalShards: 64})
	fmt.Println("ready")
	for {
		if un := c.Stats().Topology.UnreachableNodes; len(un) > 0 {
			fmt.Println("unreachable", strings.Join(un, " "))
		} else {
			fmt.Println("ok")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
