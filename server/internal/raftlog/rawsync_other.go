//go:build !linux

package raftlog

import "errors"

// rawSyncOK: elsewhere the WAL is synced through the file's own methods.
const rawSyncOK = false

func rawSync(uintptr, bool) error { return errors.ErrUnsupported }
