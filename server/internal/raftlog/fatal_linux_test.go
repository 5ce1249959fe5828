//go:build linux

package raftlog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envFatalChild makes the test binary the child of
// TestFatalErrorsAtOnceExitWithOneLine (TestMain).
const envFatalChild = "NORIKV_RAFTLOG_FATAL_CHILD"

// failAtOnce opens the engine in dir and has Pebble's fatal log call and
// the panics of queued commits (what a failed write-ahead log write sets
// off) reach the engine on 16 goroutines released together.
func failAtOnce(dir string) {
	db, err := Open(filepath.Join(dir, "raftlog"), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(3)
	}
	start := make(chan struct{})
	for w := 0; w < 16; w++ {
		go func() {
			<-start
			if w%2 == 0 {
				quietLogger{stop: db.stop}.Fatalf("pebble: fatal commit error: %v", "write 000006.log: input/output error")
				return
			}
			defer db.exitOnPanic()
			panic("write 000006.log: input/output error")
		}()
	}
	close(start)
	time.Sleep(10 * time.Second)
	fmt.Fprintln(os.Stderr, "child: still running 10 s after the fatal errors")
	os.Exit(4)
}

// TestFatalErrorsAtOnceExitWithOneLine: the failed write's Fatalf and the
// panics of the commits behind it, on several goroutines at once, end the
// process with exactly one line and exit code 1. Each used to print its
// own line between the first one's and its exit (CI, 2026-12-03:
// TestEngineMeetingAFullDiskExitsWithOneLine read two lines).
func TestFatalErrorsAtOnceExitWithOneLine(t *testing.T) {
	for run := 0; run < 30; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envFatalChild+"="+t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("run %d: child ended with %v, want exit code 1; stderr:\n%s", run, err, stderr.String())
		}
		out := strings.TrimSpace(stderr.String())
		if strings.Count(out, "\n") != 0 || !strings.HasPrefix(out, "norikv: the Raft log engine in ") {
			t.Fatalf("run %d: child's stderr is not one line:\n%s", run, out)
		}
	}
}
