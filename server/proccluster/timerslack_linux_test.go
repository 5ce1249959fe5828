//go:build linux

package proccluster

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// timerSlack returns process pid's timer slack (ns): its main thread's,
// which every thread the Go runtime starts inherits when it is cloned.
func timerSlack(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "timerslack_ns"))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("pid %d: timerslack_ns %q: %v", pid, b, err)
	}
	return ns
}

// TestServeGivesEveryThreadItsTimerSlack checks that `serve` runs with
// --timer-slack (4 ms by default) on the thread every other descends from,
// so the Go runtime's sysmon, started before main, has it too, and that --timer-slack 0
// leaves the system's. Serve used to leave Linux's 50 us, with which a
// node taking one client's Puts woke sysmon ~4,000 times a second.
func TestServeGivesEveryThreadItsTimerSlack(t *testing.T) {
	if _, err := os.Stat("/proc/self/timerslack_ns"); err != nil {
		t.Skipf("this kernel has no /proc/PID/timerslack_ns: %v", err)
	}
	c := Start(t, Options{Nodes: 3})
	for _, id := range c.IDs() {
		pid := c.Proc(id).Pid
		if ns := timerSlack(t, pid); ns != int64(4*time.Millisecond) {
			t.Errorf("%s (pid %d): timer slack %d ns, want %d (--timer-slack's default)", id, pid, ns, 4*time.Millisecond)
		}
	}

	// --timer-slack 0: the slack the test process has (the system's).
	c.Kill(t, "n3")
	c.LaunchWith(t, "n3", "--timer-slack", "0")
	c.WaitReady(t, "n3")
	if ns, want := timerSlack(t, c.Proc("n3").Pid), timerSlack(t, os.Getpid()); ns != want {
		t.Errorf("n3 with --timer-slack 0: timer slack %d ns, want the system's %d", ns, want)
	}
}
