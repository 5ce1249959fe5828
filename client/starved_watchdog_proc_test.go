//go:build unix

package client

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// envStarvedChild makes TestStarvedWatchdogChild run: the client process
// TestStoppedAgainAndAgainClientDropsASilentNode stops and continues. Its
// value is the fake node's address.
const envStarvedChild = "NORIKV_TEST_STARVED_CHILD"

// TestStoppedAgainAndAgainClientDropsASilentNode: the process holding a
// client is stopped and continued again and again (1.3 s stopped, 0.15 s
// running: a gray client, or a machine so starved that every watchdog tick
// is more than a second late) while the node its watch streams from first
// sends heartbeats, then hangs (a fake node that keeps the stream open and
// sends nothing more). The watchdog reset the stream's silence on every
// late tick, so the hung node was never dropped and the client kept it as
// its live view. Now it must be dropped (the watch restarts) within a
// bound, and the node must not be dropped while it still sends.
func TestStoppedAgainAndAgainClientDropsASilentNode(t *testing.T) {
	if testing.Short() {
		t.Skip("client in a child process, stopped and continued for 20 s: skipped with -short")
	}
	f := startFake(t, fakeServices{meta: true})
	var silent atomic.Bool
	f.set(func(f *fakeNode) {
		f.onWatch = func(s grpcViewStream) error {
			v := view(1, 16, "n1", map[string]string{"n1": f.addr})
			tk := time.NewTicker(500 * time.Millisecond)
			defer tk.Stop()
			for !silent.Load() {
				if err := s.Send(v); err != nil {
					return err
				}
				select {
				case <-tk.C:
				case <-s.Context().Done():
					return nil
				}
			}
			<-s.Context().Done() // hung: the stream stays open, silent
			return nil
		}
	})

	cmd := exec.Command(os.Args[0], "-test.run=^TestStarvedWatchdogChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envStarvedChild+"="+f.addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := make(chan string, 4096)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	// restarts is the child's last reported WatchRestarts.
	restarts := -1
	// drain reads the child's lines that came so far.
	drain := func() {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the client process ended (last restarts %d)", restarts)
				}
				var r int
				if _, err := fmt.Sscanf(l, "restarts %d", &r); err == nil {
					restarts = r
				}
			default:
				return
			}
		}
	}
	for deadline := time.Now().Add(30 * time.Second); restarts < 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the client process did not connect within 30 s")
		}
		drain()
	}
	time.Sleep(time.Second)
	drain()
	before := restarts

	// cycle stops the child for stop and lets it run 0.15 s.
	cycle := func(stop time.Duration) {
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(stop)
		if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
		drain()
	}
	// The node still sends: stopped and continued 6 times (8.7 s, over
	// four WatchSilence), then 3 times for longer than WatchSilence, the
	// client must keep watching it.
	for range 6 {
		cycle(1300 * time.Millisecond)
	}
	for range 3 {
		cycle(DefaultWatchSilence + 600*time.Millisecond)
	}
	if restarts != before {
		t.Fatalf("the watch restarted %d times while the node sent heartbeats and the client was stopped and continued",
			restarts-before)
	}
	silent.Store(true)
	hung := time.Now()
	for restarts == before {
		if time.Since(hung) > 20*time.Second {
			t.Fatalf("the node has sent nothing for %v (WatchSilence %v), the client stopped 1.3 s and run 0.15 s over and over: the watch still streams from it",
				time.Since(hung).Round(time.Millisecond), DefaultWatchSilence)
		}
		cycle(1300 * time.Millisecond)
	}
	t.Logf("the silent node was dropped %v after it hung (the client stopped 1.3 s and run 0.15 s over and over)",
		time.Since(hung).Round(100*time.Millisecond))
}

// TestStarvedWatchdogChild is the client process of
// TestStoppedAgainAndAgainClientDropsASilentNode (skipped otherwise): it
// connects to the node with the default WatchSilence and Timeout 1 s, then
// every 20 ms prints its watch's restarts ("restarts 0"), until killed.
func TestStarvedWatchdogChild(t *testing.T) {
	addr := os.Getenv(envStarvedChild)
	if addr == "" {
		t.Skip("the child process of TestStoppedAgainAndAgainClientDropsASilentNode")
	}
	c, err := New(Config{Nodes: []string{addr}, TotalShards: 16, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Connect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for {
		fmt.Println("restarts", c.Stats().Topology.WatchRestarts)
		time.Sleep(20 * time.Millisecond)
	}
}
