package node

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// bootClock returns this boot's id and the time since boot (CLOCK_BOOTTIME:
// it runs on across process restarts and counts suspend).
func bootClock() (aliveNote, bool) {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return aliveNote{}, false
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return aliveNote{}, false
	}
	return aliveNote{boot: strings.TrimSpace(string(id)), since: time.Duration(ts.Nano())}, true
}
