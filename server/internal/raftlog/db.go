package raftlog

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"
)

// ErrClosed is returned by a Store whose DB was closed.
var ErrClosed = errors.New("raftlog: store used after its DB was closed")

// Options configure a DB.
type Options struct {
	// Fsync makes every write durable against machine crashes before it
	// returns. Without it, writes still reach the OS before they return, so
	// they survive a crash of the process (SIGKILL) but not of the machine.
	Fsync bool
	// MemTableSize bounds one memtable (0: 4 MiB). Raft logs are short
	// lived (compacted after each snapshot), so small memtables suffice.
	MemTableSize uint64
}

// DB is one Pebble engine holding the logs and stable state of many Raft
// groups. It is safe for concurrent use.
type DB struct {
	// mu guards pdb against use after Close: Pebble panics on a closed DB,
	// and a straggling Raft goroutine must get an error instead.
	mu     sync.RWMutex
	pdb    *pebble.DB
	closed bool

	// pacer spaces the WAL's syncs (nil without Fsync).
	pacer *syncPacer

	// bufs recycles key and value buffers of StoreLogs; a Batch copies
	// what it is given.
	bufs sync.Pool
}

// Open opens (or creates) the engine in dir.
func Open(dir string, opts Options) (*DB, error) {
	memtable := opts.MemTableSize
	if memtable == 0 {
		memtable = 4 << 20
	}
	var fs vfs.FS = vfs.Default
	var pacer *syncPacer
	if opts.Fsync {
		pacer = &syncPacer{busyFactor: syncBusyFactor}
		fs = pacedFS{FS: vfs.Default, pacer: pacer}
	} else {
		fs = noSyncFS{vfs.Default}
	}
	po := &pebble.Options{
		FS:                          fs,
		MemTableSize:                memtable,
		MemTableStopWritesThreshold: 4,
		// No block compression: Raft entries live only until the next
		// snapshot, so the tables hold them briefly, and compressing
		// every flush and compaction cost CPU on the write path.
		Levels: []pebble.LevelOptions{{Compression: pebble.NoCompression}},
		Logger: quietLogger{},
	}
	if pacer != nil {
		// Syncs that crowd each other wait a little for more commits to
		// share them (syncpace.go).
		po.WALMinSyncInterval = pacer.interval
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("open raft log engine in %s: %w", dir, err)
	}
	d := &DB{pdb: pdb, pacer: pacer}
	d.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return d, nil
}

// Store returns the log and stable store of the group called name. Names
// are independent key spaces; a name is at most 255 bytes.
func (d *DB) Store(name string) (*Store, error) {
	if name == "" || len(name) > 255 {
		return nil, fmt.Errorf("raftlog: group name %q must be 1 to 255 bytes", name)
	}
	return &Store{db: d, name: name, logPrefix: prefix(kindLog, name), stablePrefix: prefix(kindStable, name)}, nil
}

// Close closes the engine. Stores of this DB return ErrClosed afterwards.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.pdb.Close()
}

// with runs f on the open engine, or returns ErrClosed.
func (d *DB) with(f func(*pebble.DB) error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return ErrClosed
	}
	return f(d.pdb)
}

// quietLogger drops Pebble's informational lines (one per flush and
// compaction) and keeps fatal ones.
type quietLogger struct{}

func (quietLogger) Infof(string, ...interface{}) {}
func (quietLogger) Fatalf(format string, args ...interface{}) {
	pebble.DefaultLogger.Fatalf(format, args...)
}
