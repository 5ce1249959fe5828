//go:build unix

package node

import "syscall"

// openFileLimit returns the process's soft open-file limit.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return 0, false
	}
	return uint64(rl.Cur), true
}
