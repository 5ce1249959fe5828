package raftlog

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cockroachdb/pebble/vfs"
)

// A full disk.
//
// Pebble does not survive a write-ahead log write that fails: its commit
// path calls Logger.Fatalf ("pebble: fatal commit error: ... no space left
// on device"), which ended the whole process, and a memtable flush that
// fails is retried at once, in a loop (a follower whose disk was full
// burned a core that way, its table numbers reaching 7964 in 6 s, and
// said nothing). So the engine is kept from filling its disk: while the
// file system holding it has less than Options.MinFree bytes free,
// StoreLogs refuses entries before they reach Pebble, with an error
// wrapping ErrNoSpace, and Options.OnSpace is told once (the node then
// steps down and stops campaigning: it cannot take entries). The term
// and vote (Set) and log deletions still go through: they are a few bytes,
// and hashicorp/raft panics when it cannot save a term. Free space is
// measured at most every spaceRecheck on the write path, and every second
// in the background, where the state ends once twice MinFree (at least
// MinFree + 16 MiB) is free again. Pebble's own background errors that
// say the disk is full (a flush) start the state at once, and its flush
// retries are spaced a second apart meanwhile (spaceFS).
//
// A write that still meets a full disk inside Pebble (the disk filled
// faster than it was measured) ends the process through Fatalf, with one
// line naming the path and what to do (quietLogger): the log on disk is
// intact, and the node starts again once space is back.

// ErrNoSpace is wrapped by the errors of StoreLogs while the engine's disk
// has less free space than Options.MinFree.
var ErrNoSpace = errors.New("no space left on device")

const (
	// DefaultMinFree is Options.MinFree when zero: room for a new
	// write-ahead log file (preallocated at 1.1 memtables), a memtable
	// flush and the metadata writes around them, with margin.
	DefaultMinFree = 32 << 20
	// spaceRecheck bounds how stale the free space seen by a write is.
	spaceRecheck = 5 * time.Millisecond
	// spaceProbeEvery is the background measurement's period.
	spaceProbeEvery = time.Second
	// retryNoSpaceAfter spaces Pebble's retries of a background write
	// (a flush) that found the disk full.
	retryNoSpaceAfter = time.Second
)

// spaceWatch tracks the free space of the engine's file system.
type spaceWatch struct {
	dir     string
	minFree uint64
	resume  uint64 // free bytes that end a full state
	notify  func(error)

	checkedAt atomic.Int64 // unix nanoseconds of the last measurement on the write path
	full      atomic.Pointer[error]
	faults    atomic.Uint64 // full states entered

	mu   sync.Mutex // serialises state changes and their notifications
	stop chan struct{}
	done chan struct{}
}

func newSpaceWatch(dir string, minFree uint64, notify func(error)) *spaceWatch {
	if minFree == 0 {
		minFree = DefaultMinFree
	}
	w := &spaceWatch{dir: dir, minFree: minFree, resume: max(2*minFree, minFree+16<<20), notify: notify,
		stop: make(chan struct{}), done: make(chan struct{})}
	w.measure(time.Now())
	go w.loop()
	return w
}

func (w *spaceWatch) close() {
	close(w.stop)
	<-w.done
}

func (w *spaceWatch) loop() {
	defer close(w.done)
	t := time.NewTicker(spaceProbeEvery)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case now := <-t.C:
			w.measure(now)
		}
	}
}

// err returns the full state's error, or nil while the disk has room.
func (w *spaceWatch) err() error {
	if p := w.full.Load(); p != nil {
		return *p
	}
	return nil
}

// check measures again when the last measurement is stale and returns the
// full state's error, if any. It runs before every log append.
func (w *spaceWatch) check() error {
	now := time.Now()
	if now.UnixNano()-w.checkedAt.Load() >= int64(spaceRecheck) {
		w.measure(now)
	}
	return w.err()
}

// measure reads the free space and enters or leaves the full state.
func (w *spaceWatch) measure(now time.Time) {
	w.checkedAt.Store(now.UnixNano())
	free, err := freeBytes(w.dir)
	if err != nil {
		return // a file system that cannot say: leave the state as it is
	}
	switch {
	case free < w.minFree && w.err() == nil:
		w.enter(fmt.Errorf("%w: %s has %s free, below the %s the Raft log keeps in reserve", ErrNoSpace, w.dir, mib(free), mib(w.minFree)))
	case free >= w.resume && w.err() != nil:
		w.leave()
	}
}

// reserveErr reports, without changing the state, whether the disk has
// less than the reserve free now.
func (w *spaceWatch) reserveErr() error {
	free, err := freeBytes(w.dir)
	if err != nil || free >= w.minFree {
		return nil
	}
	return fmt.Errorf("%w: %s has %s free, within the %s kept for the Raft log", ErrNoSpace, w.dir, mib(free), mib(w.minFree))
}

// noSpace starts the full state on an error Pebble met in the background.
func (w *spaceWatch) noSpace(err error) {
	if w.err() == nil {
		w.enter(fmt.Errorf("%w: %s: %v", ErrNoSpace, w.dir, err))
	}
}

func (w *spaceWatch) enter(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err() != nil {
		return
	}
	w.full.Store(&err)
	w.faults.Add(1)
	if w.notify != nil {
		w.notify(err)
	}
}

func (w *spaceWatch) leave() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err() == nil {
		return
	}
	w.full.Store(nil)
	if w.notify != nil {
		w.notify(nil)
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// isNoSpace reports whether err says a disk (or quota) is full.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		(err != nil && strings.Contains(err.Error(), "no space left on device"))
}

// spaceFS spaces a second apart the retries of background writes that
// find the disk full (Pebble retries a failed memtable flush at once, in a
// loop) and starts the full state. Write-ahead log writes return at once:
// a commit must fail, not wait.
type spaceFS struct {
	vfs.FS
	watch *spaceWatch
}

func (fs spaceFS) Create(name string) (vfs.File, error) {
	f, err := fs.FS.Create(name)
	if err != nil {
		fs.failed(name, err)
		return nil, err
	}
	if strings.HasSuffix(name, ".log") {
		return f, nil
	}
	return spaceFile{File: f, fs: fs, name: name}, nil
}

// failed notes a write error of file name.
func (fs spaceFS) failed(name string, err error) {
	if !isNoSpace(err) {
		return
	}
	fs.watch.noSpace(err)
	if !strings.HasSuffix(name, ".log") {
		time.Sleep(retryNoSpaceAfter)
	}
}

type spaceFile struct {
	vfs.File
	fs   spaceFS
	name string
}

func (f spaceFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	if err != nil {
		f.fs.failed(f.name, err)
	}
	return n, err
}

func (f spaceFile) Sync() error {
	err := f.File.Sync()
	if err != nil {
		f.fs.failed(f.name, err)
	}
	return err
}

func (f spaceFile) Preallocate(off, n int64) error {
	err := f.File.Preallocate(off, n)
	if err != nil {
		f.fs.failed(f.name, err)
	}
	return err
}
