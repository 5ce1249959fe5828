//go:build unix

package jobctl

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

const envChild = "NORIKV_JOBCTL_CHILD"

// TestMain prints Resumable in a child process of the test binary.
func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		if Resumable() {
			os.Stdout.WriteString("resumable\n")
		} else {
			os.Stdout.WriteString("not resumable\n")
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A process put in a process group of its own within its parent's session
// (what a job-control shell does with each job) is resumable; one leading
// a session of its own (tmux's or sshd's child) or sharing its parent's
// group (started by sh -c, a script) is not. Found in tmux: a console
// started as the window's command that suspended itself would have
// waited forever, its terminal released (the kernel drops SIGTSTP to an
// orphaned process group).
func TestResumable(t *testing.T) {
	for _, c := range []struct {
		name string
		attr *syscall.SysProcAttr
		want string
	}{
		{"a job of a shell", &syscall.SysProcAttr{Setpgid: true}, "resumable"},
		{"its own session", &syscall.SysProcAttr{Setsid: true}, "not resumable"},
		{"its parent's group", nil, "not resumable"},
	} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envChild+"=1")
		cmd.SysProcAttr = c.attr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.TrimSpace(string(out)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
