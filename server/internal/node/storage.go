package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/raftlog"
)

// A node whose disk fills up.
//
// The shared Raft log engine refuses log entries while its disk has less
// than Config.MinFreeBytes free (raftlog/space.go) and tells the node,
// which then holds every group's candidacy (raft.SetStorageHold: no vote,
// no pre-vote, no election), hands the groups it leads to another replica,
// and says so once: a line in its log, StorageError (NodeStatus'
// storage_error, /health, /metrics). Without the hold a leader whose log
// write fails steps down, and with the longest log is elected again at
// once. The engine measures the free space every second and ends the
// state once there is room again: the node votes and campaigns again
// without a restart, and catches up from the leaders.

// storageState is whether this node can write its Raft log.
type storageState struct {
	mu    sync.Mutex
	err   error        // why it cannot; nil while it can
	rafts []*raft.Raft // every group opened so far, metadata included
}

// onSpace is the log engine's OnSpace: err says why it refuses entries,
// nil that it takes them again. It may run inside a group's StoreLogs (on
// its Raft goroutine) and during Start, before the groups open.
func (n *Node) onSpace(err error) {
	n.storage.mu.Lock()
	n.storage.err = err
	for _, r := range n.storage.rafts {
		r.SetStorageHold(err != nil)
	}
	n.storage.mu.Unlock()
	if err == nil {
		n.logf("%s: storage writable again: voting and campaigning again", n.self.ID)
		return
	}
	n.logf("%s cannot write its Raft log: %v: leading no group and not campaigning until it can (checked every second; free space on that disk)", n.self.ID, err)
	go n.stepDown() // not here: the caller may be a group's Raft goroutine
}

// holdIfFull registers a group's Raft with the storage hold, holding it at
// once when the disk is full already.
func (n *Node) holdIfFull(r *raft.Raft) {
	n.storage.mu.Lock()
	defer n.storage.mu.Unlock()
	n.storage.rafts = append(n.storage.rafts, r)
	if n.storage.err != nil {
		r.SetStorageHold(true)
	}
}

// StorageError says why this node cannot write its Raft log (its disk is
// too full), "" while it can.
func (n *Node) StorageError() string {
	n.storage.mu.Lock()
	defer n.storage.mu.Unlock()
	if n.storage.err == nil {
		return ""
	}
	return n.storage.err.Error()
}

// StorageFull reports whether this node's Raft log refuses entries for
// lack of disk space.
func (n *Node) StorageFull() bool {
	n.storage.mu.Lock()
	defer n.storage.mu.Unlock()
	return errors.Is(n.storage.err, raftlog.ErrNoSpace)
}

// StorageFaults counts the times this node's disk became too full for its
// Raft log since it started.
func (n *Node) StorageFaults() uint64 {
	if n.raftLog == nil {
		return 0
	}
	return n.raftLog.SpaceFaults()
}

// stepDown hands every group this node leads to another replica while its
// log cannot be written. A leader that writes steps down by itself when
// its write fails; an idle group would keep a leader that cannot take a
// write.
func (n *Node) stepDown() {
	if !n.opened.Load() || n.closing.Load() {
		return
	}
	var wg sync.WaitGroup
	rgs := []*raftGroup{n.meta}
	for _, g := range n.groups {
		rgs = append(rgs, g.rg)
	}
	for _, rg := range rgs {
		if rg.raft.State() != raft.Leader {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := rg.lease.revoke() // the target campaigns with votes that ignore this leader
			err := rg.raft.LeadershipTransfer().Error()
			done(err != nil)
		}()
	}
	wg.Wait()
}

// peerStorageError asks a peer why it cannot write its Raft log: "" when
// it can, or does not answer in 500 ms.
func (n *Node) peerStorageError(ctx context.Context, raftAddr string) string {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	rep, err := n.call(ctx, raftAddr, controlRequest{Storage: true})
	if err != nil {
		return ""
	}
	return rep.StorageError
}

// cannotLead returns an error when node target cannot write its Raft log,
// so an operator's transfer there fails saying why instead of moving the
// group to a node that drops it at its first write.
func (n *Node) cannotLead(ctx context.Context, g int, target, raftAddr string) error {
	why := n.StorageError()
	if target != n.self.ID {
		why = n.peerStorageError(ctx, raftAddr)
	}
	if why == "" {
		return nil
	}
	return cannotLeadError(fmt.Sprintf("node %s cannot lead group %d: it cannot write its Raft log (%s); free space on its disk first", target, g, why))
}

// ErrCannotLead matches (errors.Is) TransferGroup's error when the target
// cannot write its Raft log.
var ErrCannotLead = errors.New("the node cannot write its Raft log")

type cannotLeadError string

func (e cannotLeadError) Error() string        { return string(e) }
func (e cannotLeadError) Is(target error) bool { return target == ErrCannotLead }

// isStorageRefusal reports whether a Raft log line is about a log write the
// engine refused for lack of space (Raft logs one per refused write).
func isStorageRefusal(p []byte) bool {
	return bytes.Contains(p, []byte(raftlog.ErrNoSpace.Error())) && bytes.Contains(p, []byte("not writing"))
}

// snapshotReserveEvery is how many bytes a snapshot writes between two
// looks at the free space.
const snapshotReserveEvery = 1 << 20

// reserveGuard keeps snapshots (taken, or installed from a leader) out of
// the Raft log's reserve on a shared disk: a snapshot as large as the
// group's data could otherwise fill the disk past it, and the log engine
// would then meet the full disk itself (the process exits). A snapshot
// that reaches the reserve fails (Raft cancels it, deleting what it
// wrote, and tries again at its next interval; the log is not compacted
// meanwhile, and once it reaches the reserve the node holds its groups).
type reserveGuard struct {
	raft.SnapshotStore
	reserve func() error
}

func (g reserveGuard) Create(version raft.SnapshotVersion, index, term uint64, conf raft.Configuration, confIndex uint64, trans raft.Transport) (raft.SnapshotSink, error) {
	if err := g.reserve(); err != nil {
		return nil, fmt.Errorf("not writing a snapshot: %w", err)
	}
	sink, err := g.SnapshotStore.Create(version, index, term, conf, confIndex, trans)
	if err != nil {
		return nil, err
	}
	return &reserveSink{SnapshotSink: sink, reserve: g.reserve}, nil
}

type reserveSink struct {
	raft.SnapshotSink
	reserve func() error
	since   int
}

func (s *reserveSink) Write(p []byte) (int, error) {
	if s.since += len(p); s.since >= snapshotReserveEvery {
		s.since = 0
		if err := s.reserve(); err != nil {
			return 0, fmt.Errorf("snapshot stopped: %w", err)
		}
	}
	return s.SnapshotSink.Write(p)
}
