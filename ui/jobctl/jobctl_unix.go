//go:build unix

// Package jobctl tells whether the console can suspend itself (Ctrl-Z):
// only when a shell with job control started it, which can resume it (fg).
package jobctl

import (
	"os"

	"golang.org/x/sys/unix"
)

// Resumable reports whether a stopped console would be resumed: its parent
// (a job-control shell) is in the same session but another process group.
// Started directly by tmux, ssh or a script, the console leads its own
// session or shares its parent's group: no shell would ever send it
// SIGCONT (and the kernel drops SIGTSTP to an orphaned process group, so
// Bubble Tea would wait for a SIGCONT with the terminal released).
func Resumable() bool {
	ppid := os.Getppid()
	ppgid, err := unix.Getpgid(ppid)
	if err != nil {
		return false
	}
	psid, err := unix.Getsid(ppid)
	if err != nil {
		return false
	}
	sid, err := unix.Getsid(0)
	if err != nil {
		return false
	}
	return psid == sid && ppgid != unix.Getpgrp()
}
