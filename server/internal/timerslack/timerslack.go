// Package timerslack gives a server process a coarser timer slack: how late
// the kernel may wake a thread's timed sleeps, so that it can fold wake-ups
// together.
//
// Why (measured on the benchmark VM, BENCHMARKS.md): a NoriKV node taking
// one client's Puts is idle between them, so the Go runtime's sysmon thread
// parks, is woken by the next Put's first system call and then polls every
// 20 us until it sees the node idle again; with Linux's default slack of
// 50 us that was ~4,000 wake-ups a second per node, a quarter of the node's
// system calls. Each costs a context switch and a timer interrupt, dear on
// a VM, and the CPU they took was what the followers' log syncs waited for.
// A slack of a few milliseconds lets those sleeps end together with other
// work. Timers can only fire later with it, never earlier: Raft's election
// and lease timing is unchanged in safety (a late heartbeat is well inside
// its timeouts) and no request waits on a timer in the write path.
//
// Sysmon is started before main runs and keeps the slack of the thread that
// started it, so the slack is set on the calling thread and the process is
// executed again from its own binary (same pid, arguments and environment):
// every thread of the new image inherits it.
package timerslack

import (
	"fmt"
	"time"
)

// Max bounds the slack a flag may ask for.
const Max = 100 * time.Millisecond

// envMarker is set in the environment of the process executed again, so
// that a slack the kernel does not keep cannot make it execute itself
// forever; it is removed at once by the new image.
const envMarker = "NORIKV_TIMER_SLACK_REEXEC"

// Check returns an error saying what is wrong with d as a flag value.
func Check(d time.Duration) error {
	if d < 0 || d > Max {
		return fmt.Errorf("timer slack %v out of range: give 0 (leave the system's) up to %v, e.g. 4ms", d, Max)
	}
	return nil
}
