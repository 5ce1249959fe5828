package raftlog

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/vfs"
)

const (
	// maxSyncDelay bounds the delay a syncPacer adds between two WAL syncs.
	maxSyncDelay = 500 * time.Microsecond
	// syncBusyFactor: a sync that begins within this many sync durations
	// of the previous one's end (beyond the delay added) makes the next
	// one wait.
	syncBusyFactor = 2
)

// syncPacer decides Pebble's WALMinSyncInterval after each WAL sync: while
// syncs follow each other closely (the next began within busyFactor sync
// durations of the previous one's end, not counting the delay added), the
// next waits up to one sync duration after the last, so the commits
// arriving meanwhile share it; when syncs are sparse it adds nothing. Nor
// does it when no two log commits overlapped since the last sync: a lone
// writer (one client's Puts) has nobody to share a sync with, however
// closely its syncs follow each other on a slow disk. A sync costs ~70-100 us of CPU on the
// benchmark machine's disk besides its latency, and commits of 16 groups
// arrive at one node's WAL independently.
type syncPacer struct {
	busyFactor float64
	onSync     func(time.Duration) // Options.OnSync, or nil
	// syncing is when the WAL sync running began (UnixNano), 0 if none.
	syncing atomic.Int64

	// inflight counts log commits running (Store.StoreLogs); crowded says
	// two overlapped since the last sync.
	inflight atomic.Int32
	crowded  atomic.Bool

	mu        sync.Mutex
	avg       time.Duration // moving average of a sync's duration
	lastEnd   time.Time     // end of the last sync
	lastDelay time.Duration // delay asked for after the last sync
	busy      bool          // the last sync began soon after the one before
	syncs     int           // syncs observed
	delayed   int           // syncs after which a delay was asked for
}

// observe records one sync of the WAL from start to end.
func (p *syncPacer) observe(start, end time.Time) {
	p.syncing.CompareAndSwap(start.UnixNano(), 0)
	if p.onSync != nil {
		p.onSync(end.Sub(start))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := end.Sub(start)
	if p.avg == 0 {
		p.avg = d
	} else {
		p.avg += (d - p.avg) / 8
	}
	if !p.lastEnd.IsZero() {
		gap := start.Sub(p.lastEnd) - p.lastDelay
		p.busy = float64(gap) < p.busyFactor*float64(p.avg)
	}
	p.lastEnd = end
	p.syncs++
}

// interval is Pebble's WALMinSyncInterval, asked right after each sync.
func (p *syncPacer) interval() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastDelay = 0
	if crowded := p.crowded.Swap(false); p.busy && crowded {
		p.lastDelay = min(p.avg, maxSyncDelay)
		p.delayed++
	}
	return p.lastDelay
}

// commitStarted notes a log commit starting, commitEnded its end.
func (p *syncPacer) commitStarted() {
	if p.inflight.Add(1) > 1 {
		p.crowded.Store(true)
	}
}

func (p *syncPacer) commitEnded() { p.inflight.Add(-1) }

// pacedFS times the syncs of the write-ahead log files (NNNNNN.log) it
// creates or recycles for a syncPacer; other files pass through.
type pacedFS struct {
	vfs.FS
	pacer *syncPacer
}

func (fs pacedFS) Create(name string) (vfs.File, error) {
	f, err := fs.FS.Create(name)
	return fs.wrap(name, f, err)
}

func (fs pacedFS) ReuseForWrite(oldname, newname string) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(oldname, newname)
	return fs.wrap(newname, f, err)
}

func (fs pacedFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return pacedFile{File: f, pacer: fs.pacer}, nil
}

type pacedFile struct {
	vfs.File
	pacer *syncPacer
}

func (f pacedFile) Sync() error {
	start := time.Now()
	f.pacer.syncing.Store(start.UnixNano())
	err := f.File.Sync()
	f.pacer.observe(start, time.Now())
	return err
}

func (f pacedFile) SyncData() error {
	start := time.Now()
	f.pacer.syncing.Store(start.UnixNano())
	err := f.File.SyncData()
	f.pacer.observe(start, time.Now())
	return err
}
