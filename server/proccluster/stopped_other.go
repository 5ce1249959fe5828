//go:build unix && !linux

package proccluster

import "time"

// waitStopped cannot see thread states without /proc; it gives SIGSTOP a
// moment to reach every thread.
func waitStopped(pid int, timeout time.Duration) error {
	time.Sleep(50 * time.Millisecond)
	return nil
}
