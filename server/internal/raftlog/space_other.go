//go:build !unix

package raftlog

import "errors"

// freeBytes cannot measure free space here: the reserve check then leaves
// the state as it is (a file system that cannot say), and a full disk is
// met by Pebble itself as before the check existed.
func freeBytes(string) (uint64, error) {
	return 0, errors.ErrUnsupported
}
