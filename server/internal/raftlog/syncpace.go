package raftlog

import (
	"runtime"
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
	// rawSyncStall: a WAL sync this long is a stalled disk, and the next
	// rawSyncHold syncs go through Go's syscall path instead of raw system
	// calls (pacedFile), since a GC stop-the-world waits for a raw sync to
	// end. Syncs of 1 KiB appends on the busy benchmark VM (load 16-20):
	// p50 1.1-1.9 ms, p90 4-8 ms, p99 11-30 ms, max 35-104 ms of 300.
	rawSyncStall = 50 * time.Millisecond
	rawSyncHold  = 64
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

	// inflight counts log commits running (Store.StoreLogs); crowded says
	// two overlapped since the last sync.
	inflight atomic.Int32
	crowded  atomic.Bool
	// hold counts the syncs still to go through Go's syscall path after
	// one that stalled (rawSyncStall).
	hold atomic.Int32

	mu        sync.Mutex
	avg       time.Duration // moving average of a sync's duration
	lastEnd   time.Time     // end of the last sync
	lastDelay time.Duration // delay asked for after the last sync
	busy      bool          // the last sync began soon after the one before
	syncs     int           // syncs observed
	delayed   int           // syncs after which a delay was asked for
	raw       int           // syncs made as raw system calls (rawSync)
	held      int           // syncs of a raw file made through Go's syscall path after a stall
}

// observe records one sync of the WAL from start to end, raw if it was
// made with rawSync, held if it was not only because a stall held raw
// syncs back.
func (p *syncPacer) observe(start, end time.Time, raw, held bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if raw {
		p.raw++
	}
	if held {
		p.held++
	}
	d := end.Sub(start)
	if p.avg == 0 {
		p.avg = d
	} else {
		p.avg += (d - p.avg) / 8
	}
	if d >= rawSyncStall {
		p.hold.Store(rawSyncHold)
	} else if h := p.hold.Load(); h > 0 {
		p.hold.Store(h - 1)
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
// creates or recycles for a syncPacer; other files pass through. With raw,
// those syncs are raw system calls (see pacedFile).
type pacedFS struct {
	vfs.FS
	pacer *syncPacer
	raw   bool
}

// rawSyncs tells whether WAL syncs should be raw system calls here: on
// Linux, with at least 2 Ps (while a sync holds one, the others run the
// rest of the process).
func rawSyncs() bool { return rawSyncOK && runtime.GOMAXPROCS(0) >= 2 }

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
	fd := f.Fd()
	return pacedFile{File: f, pacer: fs.pacer, raw: fs.raw && fd != vfs.InvalidFd, fd: fd}, nil
}

// pacedFile is a WAL file whose syncs a syncPacer times. With raw, a sync
// is a raw system call on fd (rawSync): the goroutine keeps its P during
// the sync. Through the file's own methods (Go's syscall path), a sync of
// 0.1-5 ms is a blocking system call: the runtime's sysmon thread, polling
// every 20 us while it finds such calls, takes the P away and wakes another
// thread to run it, and the syncing thread must find a P again afterwards.
// A perf profile of 3 serve --fsync processes at 64 writers had sysmon in
// 17.7% of their CPU samples, most of it in its own 20 us sleeps (a
// context switch each on this VM). The cost of keeping the P: the process
// has one P fewer while the WAL syncs (rawSyncs asks for 2 or more), and
// a GC stop-the-world waits for the sync to end (seen: 233 and 400 ms
// pauses, from syncs that long, on the busy VM), so after a sync that
// took rawSyncStall or more the next rawSyncHold go Go's syscall path.
type pacedFile struct {
	vfs.File
	pacer *syncPacer
	raw   bool
	fd    uintptr
}

func (f pacedFile) Sync() error {
	start := time.Now()
	var err error
	raw := f.raw && f.pacer.hold.Load() == 0
	if raw {
		err = rawSync(f.fd, false)
	} else {
		err = f.File.Sync()
	}
	f.pacer.observe(start, time.Now(), raw, f.raw && !raw)
	return err
}

func (f pacedFile) SyncData() error {
	start := time.Now()
	var err error
	raw := f.raw && f.pacer.hold.Load() == 0
	if raw {
		err = rawSync(f.fd, true)
	} else {
		err = f.File.SyncData()
	}
	f.pacer.observe(start, time.Now(), raw, f.raw && !raw)
	return err
}
