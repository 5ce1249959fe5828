package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// syncCounter counts fsync and fdatasync calls of some processes with
// `perf stat` on the syscall tracepoints (counting only, no sampling, so it
// barely slows them).
type syncCounter struct {
	cmd *exec.Cmd
	out string
}

func startSyncCounter(pids string) (*syncCounter, error) {
	f, err := os.CreateTemp("", "loadgen-perf-*.csv")
	if err != nil {
		return nil, err
	}
	_ = f.Close()
	cmd := exec.Command("perf", "stat", "-x,", "-o", f.Name(),
		"-e", "syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync", "-p", pids)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start perf (install linux-perf, or leave out --count-syncs): %w", err)
	}
	return &syncCounter{cmd: cmd, out: f.Name()}, nil
}

// stop ends perf and returns the calls it counted.
func (s *syncCounter) stop() (int64, error) {
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	_ = s.cmd.Wait()
	defer os.Remove(s.out)
	b, err := os.ReadFile(s.out)
	if err != nil {
		return 0, err
	}
	var total int64
	found := false
	for _, line := range bytes.Split(b, []byte("\n")) {
		fields := strings.Split(string(line), ",")
		if len(fields) < 3 || !strings.Contains(fields[2], "sys_enter_") {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("perf counted %q for %s (are syscall tracepoints readable?)", fields[0], fields[2])
		}
		total += n
		found = true
	}
	if !found {
		return 0, fmt.Errorf("perf wrote no counts: %q", b)
	}
	return total, nil
}
