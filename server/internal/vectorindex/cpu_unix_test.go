//go:build unix

package vectorindex

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used:
// per-op figures from it hold up on a shared machine, where wall time
// swings with the other processes' load.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
