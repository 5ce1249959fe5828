package raftlog

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

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
	// MinFree is the free space (bytes) the engine keeps on its file
	// system: below it, StoreLogs refuses entries with an error wrapping
	// ErrNoSpace until twice as much is free again (space.go). 0:
	// DefaultMinFree.
	MinFree uint64
	// OnSpace, if set, is called when the engine's disk becomes too full
	// to take entries (err says why, wrapping ErrNoSpace) and when it has
	// room again (nil). Calls do not overlap; it must not block on the
	// Raft groups using this DB (it may run inside their StoreLogs).
	OnSpace func(err error)
	// OnSync, if set (with Fsync), is told how long each sync of the
	// write-ahead log took, on the syncing goroutine: it must be quick.
	OnSync func(took time.Duration)
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

	// space keeps the engine from filling its disk (space.go).
	space *spaceWatch
	dir   string
	// stop ends the process on a fatal engine error, shared with the
	// logger Pebble calls.
	stop *fatalStop
}

// Open opens (or creates) the engine in dir.
func Open(dir string, opts Options) (*DB, error) {
	memtable := opts.MemTableSize
	if memtable == 0 {
		memtable = 4 << 20
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open raft log engine in %s: %w", dir, err)
	}
	// Measured before Pebble opens: its first writes may meet a full disk.
	d := &DB{space: newSpaceWatch(dir, opts.MinFree, opts.OnSpace), dir: dir, stop: &fatalStop{dir: dir}}
	var base vfs.FS = spaceFS{FS: vfs.Default, watch: d.space}
	var fs vfs.FS
	var pacer *syncPacer
	if opts.Fsync {
		pacer = &syncPacer{busyFactor: syncBusyFactor, onSync: opts.OnSync}
		fs = pacedFS{FS: base, pacer: pacer}
	} else {
		fs = noSyncFS{base}
	}
	po := &pebble.Options{
		FS:                          fs,
		MemTableSize:                memtable,
		MemTableStopWritesThreshold: 4,
		// No block compression: Raft entries live only until the next
		// snapshot, so the tables hold them briefly, and compressing
		// every flush and compaction cost CPU on the write path.
		Levels: []pebble.LevelOptions{{Compression: pebble.NoCompression}},
		Logger: quietLogger{stop: d.stop},
		EventListener: &pebble.EventListener{BackgroundError: func(err error) {
			if isNoSpace(err) {
				d.space.noSpace(err)
			}
		}},
	}
	if pacer != nil {
		// Syncs that crowd each other wait a little for more commits to
		// share them (syncpace.go).
		po.WALMinSyncInterval = pacer.interval
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		d.space.close()
		if isNoSpace(err) {
			return nil, fmt.Errorf("open raft log engine in %s: %w (free space on that disk, or move the data dir to a bigger one, and start the node again: its log is intact)", dir, err)
		}
		return nil, fmt.Errorf("open raft log engine in %s: %w", dir, err)
	}
	d.pdb, d.pacer = pdb, pacer
	d.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return d, nil
}

// SyncingSince returns when the write-ahead log sync still running began
// (with Fsync), or the zero time when none runs: a sync that hangs on a
// failing disk says nothing through Options.OnSync until it ends.
func (d *DB) SyncingSince() time.Time {
	if d.pacer == nil {
		return time.Time{}
	}
	if ns := d.pacer.syncing.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// SpaceErr returns why the engine refuses log entries (its disk is too
// full, wrapping ErrNoSpace), or nil while it takes them.
func (d *DB) SpaceErr() error { return d.space.err() }

// ReserveErr returns an error wrapping ErrNoSpace when the engine's disk
// has less than Options.MinFree free right now, without refusing entries
// for it: other writers on the same disk (snapshots) stop there, so that
// they do not take the log's reserve.
func (d *DB) ReserveErr() error { return d.space.reserveErr() }

// SpaceFaults counts the times the engine's disk became too full since Open.
func (d *DB) SpaceFaults() uint64 { return d.space.faults.Load() }

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
	d.space.close()
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
// compaction). A fatal one ends the process, as Pebble expects, with one
// line on stderr naming the engine's directory and, when the disk is full,
// what to do.
type quietLogger struct{ stop *fatalStop }

func (quietLogger) Infof(string, ...interface{}) {}
func (l quietLogger) Fatalf(format string, args ...interface{}) {
	l.stop.exit(fmt.Sprintf(format, args...))
}

// exitOnPanic, deferred by every write, ends the process with one line
// when Pebble panics on it: after a write-ahead log write failed, the
// commits queued behind it panic with the same error (db.go commitWrite),
// racing the failed one's Fatalf, and a stack trace was printed instead of
// the reason.
func (d *DB) exitOnPanic() {
	if r := recover(); r != nil {
		d.stop.exit(fmt.Sprint(r))
	}
}

// fatalStop ends the process on a fatal engine error with one line. The
// failed write's Fatalf and the panics of the commits queued behind it
// come at once on several goroutines: the first prints its line and
// exits, the others wait in once for the exit (before, each printed its
// own between the first's line and its exit: two or more lines, seen in CI
// as TestEngineMeetingAFullDiskExitsWithOneLine failing).
type fatalStop struct {
	dir  string
	once sync.Once
}

func (f *fatalStop) exit(msg string) {
	f.once.Do(func() {
		fmt.Fprintln(os.Stderr, fatalLine(f.dir, msg))
		os.Exit(1)
	})
}

// fatalLine is the one line a fatal engine error prints.
func fatalLine(dir, msg string) string {
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
	if isNoSpace(errors.New(msg)) {
		return fmt.Sprintf("norikv: the Raft log engine in %s stopped: %s: the disk is full; free space on it (or move the data dir to a bigger one) and start the node again: its log on disk is intact", dir, msg)
	}
	return fmt.Sprintf("norikv: the Raft log engine in %s stopped: %s", dir, msg)
}
