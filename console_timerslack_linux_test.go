//go:build linux

package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// TestConsoleTimerSlack runs the console (this binary's main, in a
// pseudo-terminal) and reads the timer slack of every thread of its
// process once its first screen is up. On its embedded cluster the
// console gets --timer-slack as `serve` does, 4 ms by default, on every
// thread (the Go runtime's sysmon included, which only the re-execution
// gives it); --timer-slack 0, and a remote cluster (--nodes), leave the
// system's. The console used to leave the system's slack (50 us) with its
// embedded cluster too.
func TestConsoleTimerSlack(t *testing.T) {
	if _, err := os.Stat("/proc/self/timerslack_ns"); err != nil {
		t.Skipf("this kernel has no /proc/PID/timerslack_ns: %v", err)
	}
	system := readSlack(t, "/proc/self/timerslack_ns")
	for _, tc := range []struct {
		name string
		args []string
		want int64
	}{
		{"embedded default", nil, int64(4 * time.Millisecond)},
		{"embedded 2ms", []string{"--timer-slack", "2ms"}, int64(2 * time.Millisecond)},
		{"embedded 0", []string{"--timer-slack", "0"}, system},
		// A remote cluster: the flag is accepted and the process left alone.
		{"remote", []string{"--nodes", "127.0.0.1:1", "--timer-slack", "8ms"}, system},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid, stop := startConsoleInPTY(t, tc.args...)
			defer stop()
			// /proc/PID/task/TID has no timerslack_ns; /proc/TID is the
			// thread's own.
			tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
			if err != nil || len(tasks) < 2 {
				t.Fatalf("threads of pid %d: %v %v", pid, tasks, err)
			}
			for _, task := range tasks {
				b, err := os.ReadFile("/proc/" + task.Name() + "/timerslack_ns")
				if errors.Is(err, fs.ErrNotExist) {
					continue // the thread ended
				}
				ns, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
				if err != nil || perr != nil {
					t.Fatalf("thread %s of pid %d: timerslack_ns %q: %v %v", task.Name(), pid, b, err, perr)
				}
				if ns != tc.want {
					t.Errorf("%v: thread %s of pid %d has a timer slack of %d ns, want %d", tc.args, task.Name(), pid, ns, tc.want)
				}
			}
		})
	}
	code, _, stderr := command(t, "--timer-slack", "1s")
	if want := "norikv-console: --timer-slack: timer slack 1s out of range"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("--timer-slack 1s: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
}

func readSlack(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %q: %v", path, b, err)
	}
	return ns
}

// startConsoleInPTY starts the console with args in a pseudo-terminal and
// waits for its first screen; stop ends it with SIGTERM (exit 0 expected).
func startConsoleInPTY(t *testing.T, args ...string) (pid int, stop func()) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), execEnv+"=1", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		t.Fatalf("start the console in a pty: %v", err)
	}
	var mu sync.Mutex
	var out strings.Builder
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 32<<10)
		for {
			n, err := tty.Read(buf)
			if strings.Contains(string(buf[:n]), "\x1b[6n") { // as a terminal answers
				_, _ = tty.Write([]byte("\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[1;1R"))
			}
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	screen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return ansi.Strip(out.String())
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("console %v after SIGTERM: %v (want exit 0)", args, err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("console %v still ran 20 s after SIGTERM", args)
		}
		_ = tty.Close()
		<-read
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(screen(), "1 Cluster") {
		select {
		case err := <-exited:
			_ = tty.Close()
			<-read
			t.Fatalf("console %v exited before its first screen (%v); output:\n%s", args, err, tailOf(screen(), 4000))
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			_ = tty.Close()
			<-read
			t.Fatalf("console %v: no first screen within 60 s; output:\n%s", args, tailOf(screen(), 4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cmd.Process.Pid, stop
}
