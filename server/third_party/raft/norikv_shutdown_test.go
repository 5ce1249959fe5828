package raft

// Tests of the NoriKV patch (README.NORIKV.md): Shutdown waits for a
// heartbeat that is being processed on the transport's goroutine.

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// blockingTermStore, once armed, holds the first write of the current term
// until released.
type blockingTermStore struct {
	*InmemStore
	armed   atomic.Bool
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (s *blockingTermStore) SetUint64(key []byte, val uint64) error {
	if s.armed.Load() && string(key) == string(keyCurrentTerm) {
		s.once.Do(func() {
			close(s.entered)
			<-s.release
		})
	}
	return s.InmemStore.SetUint64(key, val)
}

// TestShutdownWaitsForHeartbeat: a heartbeat with a higher term saves the
// new term; Shutdown().Error() must not return while that save runs, so a
// node closing its stores right after it cannot be written to afterwards.
func TestShutdownWaitsForHeartbeat(t *testing.T) {
	store := &blockingTermStore{InmemStore: NewInmemStore(), entered: make(chan struct{}), release: make(chan struct{})}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(store.release) }) }
	defer release()
	_, trans := NewInmemTransport("")
	conf := DefaultConfig()
	conf.LocalID = "n1"
	conf.Logger = hclog.NewNullLogger()
	r, err := NewRaft(conf, &MockFSM{}, store, store, NewInmemSnapshotStore(), trans)
	if err != nil {
		t.Fatal(err)
	}
	store.armed.Store(true)
	hb := &AppendEntriesRequest{
		RPCHeader: RPCHeader{ProtocolVersion: ProtocolVersionMax, ID: []byte("n2"), Addr: []byte("n2")},
		Term:      r.getCurrentTerm() + 5,
	}
	go r.processHeartbeat(RPC{Command: hb, RespChan: make(chan RPCResponse, 1)})
	select {
	case <-store.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the heartbeat never saved its term")
	}
	shut := make(chan error, 1)
	go func() { shut <- r.Shutdown().Error() }()
	select {
	case <-shut:
		t.Fatal("Shutdown returned while a heartbeat was still saving its term")
	case <-time.After(300 * time.Millisecond):
	}
	release()
	select {
	case err := <-shut:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the heartbeat finished")
	}
	// After shutdown, a heartbeat is ignored: no store access, no answer.
	resp := make(chan RPCResponse, 1)
	r.processHeartbeat(RPC{Command: hb, RespChan: resp})
	if len(resp) != 0 {
		t.Fatal("a heartbeat was answered after shutdown")
	}
}
