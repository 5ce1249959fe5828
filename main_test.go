package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the command: with this variable set, TestMain
// runs main() on the process arguments instead of the tests, so each case
// below runs the real command in its own process, exit code and signal
// handling included.
const execEnv = "NORIKV_MAIN_TEST_EXEC"

func TestMain(m *testing.M) {
	if os.Getenv(execEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// command runs the command with args and returns its exit code and output.
func command(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), execEnv+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run %v: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%v did not exit within 60s; stderr:\n%s", args, errOut.String())
	}
	return code, out.String(), errOut.String()
}

// anyFailure stands for any non-zero exit code in a dispatch case.
const anyFailure = -1

// dispatchCases: one line per command. Each runs the command with arguments
// that reach its own code without side effects (usually --help) and checks
// the exit code and a line only that command prints.
var dispatchCases = []struct {
	name     string
	args     []string
	wantCode int    // anyFailure: any non-zero code
	want     string // in stdout or stderr
}{
	{"console help", []string{"--help"}, 0, "norikv-console devcluster [flags]"},
	{"console bad flag", []string{"--no-such-flag"}, anyFailure, "no-such-flag"},
	{"devcluster help", []string{"devcluster", "--help"}, anyFailure, "usage: norikv-console devcluster"},
	{"devcluster bad flag", []string{"devcluster", "--nodes", "0"}, anyFailure, "nodes"},
	{"serve help", []string{"serve", "--help"}, anyFailure, "usage: norikv-console serve"},
	{"serve missing flags", []string{"serve"}, anyFailure, "required"},
	{"unknown command", []string{"frobnicate"}, anyFailure, "frobnicate"},
}

func TestDispatch(t *testing.T) {
	for _, tc := range dispatchCases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := command(t, tc.args...)
			if tc.wantCode == anyFailure && code == 0 {
				t.Errorf("%v exited 0, want a failure", tc.args)
			}
			if tc.wantCode != anyFailure && code != tc.wantCode {
				t.Errorf("%v exited %d, want %d", tc.args, code, tc.wantCode)
			}
			if !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("%v output lacks %q:\nstdout:\n%s\nstderr:\n%s", tc.args, tc.want, stdout, stderr)
			}
		})
	}
}

// TestDispatchDevclusterRuns starts `devcluster` for real, waits for its
// "ready" line and interrupts it: the command must stop cleanly (exit 0).
func TestDispatchDevclusterRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "devcluster", "--nodes", "1", "--groups", "1", "--shards", "16")
	cmd.Env = append(os.Environ(), execEnv+"=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	ready := false
	for !ready && sc.Scan() {
		ready = strings.HasPrefix(sc.Text(), "ready ")
	}
	if !ready {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("devcluster never printed its ready line; stderr:\n%s", errOut.String())
	}
	drained := make(chan struct{})
	go func() { // drain, so the command never blocks on a full pipe
		defer close(drained)
		for sc.Scan() {
		}
	}()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-drained // Wait must not close the pipe while it is read
	if err := cmd.Wait(); err != nil {
		t.Fatalf("devcluster after SIGINT: %v (want exit 0); stderr:\n%s", err, errOut.String())
	}
}
