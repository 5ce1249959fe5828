package raftlog

import (
	"errors"
	"io"
	"sync"

	"github.com/hashicorp/raft"
)

// countFSM counts applied commands.
type countFSM struct {
	mu sync.Mutex
	n  int
}

func (f *countFSM) Apply(l *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	return nil
}

func (f *countFSM) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *countFSM) Snapshot() (raft.FSMSnapshot, error) {
	return nil, errors.New("countFSM takes no snapshots")
}

func (f *countFSM) Restore(io.ReadCloser) error { return errors.New("countFSM takes no snapshots") }
