package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// The console on its embedded cluster, in a pseudo-terminal, stops within
// seconds of SIGINT or SIGTERM, sent 0 to 2.1 s after its first screen
// (while the sample data loads and after). Both main (through ctx) and
// Bubble Tea used to catch the signals; Bubble Tea's handler then blocked
// forever handing the signal to a program that ctx had already stopped,
// and the console hung (3 runs of these 8 before the fix).
func TestConsoleStopsOnSignal(t *testing.T) {
	const stopWithin = 10 * time.Second
	for i := range 8 {
		sig := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}[i%2]
		t.Run(sig.String(), func(t *testing.T) {
			home := t.TempDir()
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), execEnv+"=1", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
				"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TERM=xterm-256color")
			tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
			if err != nil {
				t.Fatalf("start the console in a pty: %v", err)
			}
			defer tty.Close()
			var mu sync.Mutex
			var out strings.Builder
			read := make(chan struct{})
			go func() {
				defer close(read)
				buf := make([]byte, 32<<10)
				for {
					n, err := tty.Read(buf)
					// Answer the start-up queries (background colour,
					// cursor position) as a terminal emulator does.
					if strings.Contains(string(buf[:n]), "\x1b[6n") {
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
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(screen(), "1 Cluster") {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("no first screen within 60 s; output:\n%s", screen())
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(time.Duration(i/2) * 700 * time.Millisecond)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					_ = tty.Close()
					<-read
					t.Errorf("exit after %v: %v (want exit code 0); output:\n%s", sig, err, tailOf(screen(), 6000))
				}
			case <-time.After(stopWithin):
				_ = cmd.Process.Kill()
				<-exited
				t.Fatalf("the console still ran %v after %v", stopWithin, sig)
			}
			_ = tty.Close()
			<-read
		})
	}
}

// tailOf is the end of s, at most n bytes.
func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
