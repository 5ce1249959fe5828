//go:build linux

package proccluster

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// waitStopped waits until every thread of process pid is stopped. kill
// returns once SIGSTOP is queued, and the kernel wakes one thread to start
// the group stop: until that thread runs (behind a busy machine's run
// queue), the process's other threads go on answering requests. A test
// that pauses a leader and then sends it a request must not get an answer.
func waitStopped(pid int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		running, err := runningThreads(pid)
		if err != nil {
			return err
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d threads of process %d still not stopped %v after SIGSTOP", running, pid, timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// runningThreads counts the threads of pid that are not stopped (state T
// or t in /proc/PID/task/TID/stat).
func runningThreads(pid int) (int, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "task")
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("read threads of process %d: %w", pid, err)
	}
	n := 0
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join(dir, task.Name(), "stat"))
		if err != nil {
			continue // the thread exited
		}
		// pid (comm) state ...: comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) {
			return 0, fmt.Errorf("thread %s of process %d: unexpected stat %q", task.Name(), pid, stat)
		}
		if s := stat[i+2]; s != 'T' && s != 't' {
			n++
		}
	}
	return n, nil
}
