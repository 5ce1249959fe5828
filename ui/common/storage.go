package common

import (
	"strings"

	"github.com/norikv/norikv-console/client"
)

// noSpace is how the server's storage error starts when its disk is full
// (raftlog.ErrNoSpace; PROTOCOL.md §5 NodeStatus storage_error).
const noSpace = "no space left on device"

// Storage is what a node's own status report says about writing its Raft
// log: while it cannot (its disk is full) it leads no group and does not
// campaign (README "A node whose disk fills up").
type Storage struct {
	// Err is the node's storage_error in full, e.g. "no space left on
	// device: /data/n2 has 30.0 MiB free, below the 32.0 MiB the Raft log
	// keeps in reserve"; "" while it can write.
	Err string
}

// StorageOf reads the storage state from a node's status report; a failed
// poll (nil) says nothing.
func StorageOf(st *client.NodeStatus) Storage {
	if st == nil {
		return Storage{}
	}
	return Storage{Err: strings.TrimSpace(st.StorageError)}
}

// Failing reports whether the node says it cannot write its Raft log.
func (s Storage) Failing() bool { return s.Err != "" }

// DiskFull reports whether it cannot for lack of disk space.
func (s Storage) DiskFull() bool { return strings.Contains(s.Err, noSpace) }

// Short names the problem in a few words: "disk full" or "cannot write".
func (s Storage) Short() string {
	if s.DiskFull() {
		return "disk full"
	}
	return "cannot write"
}

// Reason is the short form with the node's own first words: "disk full
// (no space left on device)", "cannot write its log (read-only file
// system)".
func (s Storage) Reason() string {
	first, _, _ := strings.Cut(s.Err, ": ")
	if s.DiskFull() {
		return "disk full (" + noSpace + ")"
	}
	return "cannot write its log (" + first + ")"
}
