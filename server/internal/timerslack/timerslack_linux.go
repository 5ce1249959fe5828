//go:build linux

package timerslack

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Get returns the calling thread's timer slack.
func Get() (time.Duration, error) {
	ns, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return 0, fmt.Errorf("read timer slack: %w", err)
	}
	return time.Duration(ns), nil
}

// Apply gives the whole process a timer slack of d. When the calling
// thread already has it, or d is 0, or this image was itself executed by
// Apply, it returns nil at once. Otherwise it sets the slack on this
// thread and executes /proc/self/exe again with argv and the environment:
// it returns only when that fails, with the error, and the process then
// runs on with the slack it had. Call it before the process opens files,
// listeners or anything else an exec would drop.
func Apply(d time.Duration, argv []string) error {
	if _, again := os.LookupEnv(envMarker); again {
		return os.Unsetenv(envMarker)
	}
	if d == 0 {
		return nil
	}
	if len(argv) == 0 {
		return fmt.Errorf("set timer slack: no command line to execute again")
	}
	if err := Check(d); err != nil {
		return err
	}
	if cur, err := Get(); err == nil && cur == d {
		return nil
	}
	// The slack belongs to a thread and the new image's threads inherit
	// the one that calls execve: both on this goroutine's thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(d.Nanoseconds()), 0, 0, 0); err != nil {
		return fmt.Errorf("set timer slack to %v: %w", d, err)
	}
	env := append(os.Environ(), envMarker+"=1")
	err := syscall.Exec("/proc/self/exe", argv, env)
	return fmt.Errorf("execute %s again with timer slack %v: %w", argv[0], d, err)
}
