//go:build linux

package raftlog

import "syscall"

// rawSyncOK: this platform syncs the WAL with raw system calls (syncpace.go).
const rawSyncOK = true

// rawSync runs fdatasync (data) or fsync on fd as a raw system call: the
// calling goroutine keeps its P for the call's duration instead of
// entering the scheduler's syscall state (see pacedFile).
func rawSync(fd uintptr, data bool) error {
	nr := uintptr(syscall.SYS_FSYNC)
	if data {
		nr = syscall.SYS_FDATASYNC
	}
	for {
		_, _, e := syscall.RawSyscall(nr, fd, 0, 0)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		default:
			return e
		}
	}
}
