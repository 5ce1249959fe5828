package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
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
	{"devcluster bad timer slack", []string{"devcluster", "--timer-slack", "-1ms"}, 2, "devcluster: --timer-slack: timer slack -1ms out of range"},
	{"serve bad timer slack", []string{"serve", "--timer-slack", "1s"}, 2, "serve: --timer-slack: timer slack 1s out of range"},
	{"serve help", []string{"serve", "--help"}, anyFailure, "usage: norikv-console serve"},
	{"serve missing flags", []string{"serve"}, anyFailure, "required"},
	{"help command", []string{"help"}, 0, "Shell commands"},
	{"get help", []string{"get", "--help"}, 0, "Usage: norikv-console get KEY"},
	{"put help", []string{"put", "--help"}, 0, "Usage: norikv-console put KEY"},
	{"cas help", []string{"cas", "--help"}, 0, "Usage: norikv-console cas KEY"},
	{"delete help", []string{"delete", "--help"}, 0, "Usage: norikv-console delete KEY"},
	{"ttl help", []string{"ttl", "--help"}, 0, "Usage: norikv-console ttl KEY"},
	{"scan help", []string{"scan", "--help"}, 0, "Usage: norikv-console scan"},
	{"trace help", []string{"trace", "--help"}, 0, "Usage: norikv-console trace KEY"},
	{"status help", []string{"status", "--help"}, 0, "Usage: norikv-console status"},
	{"watch help", []string{"watch", "--help"}, 0, "Usage: norikv-console watch"},
	{"index help", []string{"index", "--help"}, 0, "Usage: norikv-console index"},
	{"insert help", []string{"insert", "--help"}, 0, "Usage: norikv-console insert NS"},
	{"search help", []string{"search", "--help"}, 0, "Usage: norikv-console search NS"},
	{"flags before the command", []string{"--output", "json", "get", "--help"}, 0, "Usage: norikv-console get KEY"},
	{"unknown command", []string{"frobnicate"}, anyFailure, "frobnicate"},
	{"misspelt command", []string{"gett", "k"}, anyFailure, "did you mean"},
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

// TestDispatchDevclusterRuns starts `devcluster` for real, runs shell
// commands against it (each reaches a real cluster and exits 0), then
// interrupts it: the command must stop cleanly (exit 0).
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
	var addrs string
	for addrs == "" && sc.Scan() {
		addrs, _ = strings.CutPrefix(sc.Text(), "ready ")
	}
	if addrs == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("devcluster never printed its ready line; stderr:\n%s", errOut.String())
	}
	// --timer-slack's default, applied by executing the command again
	// (same pid) before it started anything.
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/timerslack_ns", cmd.Process.Pid)); err == nil {
		if got := strings.TrimSpace(string(b)); got != "4000000" {
			t.Errorf("devcluster's timer slack: %s ns, want 4000000 (--timer-slack 4ms)", got)
		}
	}
	drained := make(chan struct{})
	go func() { // drain, so the command never blocks on a full pipe
		defer close(drained)
		for sc.Scan() {
		}
	}()
	cluster := []string{"--nodes", strings.Join(strings.Fields(addrs), ","), "--shards", "16", "--output", "json"}
	for _, args := range [][]string{
		{"put", "dispatch-key", "dispatch-value"},
		{"get", "dispatch-key", "--raw"},
		{"status"},
		{"trace", "dispatch-key"},
	} {
		code, out, errOut := command(t, append(args, cluster...)...)
		if code != 0 {
			t.Errorf("%v against the devcluster exited %d:\n%s%s", args, code, out, errOut)
		}
		if args[0] == "get" && !strings.Contains(out, "dispatch-value") {
			t.Errorf("get printed no value:\n%s", out)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-drained // Wait must not close the pipe while it is read
	if err := cmd.Wait(); err != nil {
		t.Fatalf("devcluster after SIGINT: %v (want exit 0); stderr:\n%s", err, errOut.String())
	}
}
