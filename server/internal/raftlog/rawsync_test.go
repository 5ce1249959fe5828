package raftlog

import (
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/hashicorp/raft"
)

// TestFsyncStoreSyncsWALRaw checks that a store with fsync syncs its
// write-ahead log with raw system calls on Linux with 2 or more Ps (the
// goroutine keeps its P, see pacedFile), every sync of them, and that what
// it committed is there after reopening.
func TestFsyncStoreSyncsWALRaw(t *testing.T) {
	if !rawSyncOK {
		t.Skip("raw syncs are Linux only")
	}
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	dir := t.TempDir()
	db := openTest(t, dir, true)
	s := mustStore(t, db, "g")
	for i := uint64(1); i <= 20; i++ {
		if err := s.StoreLogs([]*raft.Log{entry(i, 1, "v")}); err != nil {
			t.Fatal(err)
		}
	}
	db.pacer.mu.Lock()
	syncs, raw, held := db.pacer.syncs, db.pacer.raw, db.pacer.held
	db.pacer.mu.Unlock()
	// A stalled sync (rawSyncStall) sends the next ones the syscall path
	// (TestRawSyncsPauseAfterAStall); every other one is raw.
	if syncs < 20 || raw+held != syncs {
		t.Fatalf("20 synced commits: %d WAL syncs, %d of them raw, %d held back after a stall; want >= 20, all raw or held", syncs, raw, held)
	}
	t.Logf("%d WAL syncs, %d raw, %d held back after a stall", syncs, raw, held)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, dir, true)
	defer db.Close()
	checkBounds(t, mustStore(t, db, "g"), 1, 20)
}

// TestRawSyncsNeedTwoPs: with one P, a raw sync would stop the whole
// process for its duration, so WAL syncs go through Go's syscall path.
func TestRawSyncsNeedTwoPs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if rawSyncs() {
		t.Fatal("raw syncs chosen with GOMAXPROCS=1")
	}
	db := openTest(t, t.TempDir(), true)
	defer db.Close()
	if err := mustStore(t, db, "g").StoreLogs([]*raft.Log{entry(1, 1, "v")}); err != nil {
		t.Fatal(err)
	}
	db.pacer.mu.Lock()
	syncs, raw := db.pacer.syncs, db.pacer.raw
	db.pacer.mu.Unlock()
	if syncs == 0 || raw != 0 {
		t.Fatalf("GOMAXPROCS=1: %d WAL syncs, %d raw; want some, none raw", syncs, raw)
	}
}

// TestRawSyncReportsErrors: a raw sync of a file that cannot be synced
// returns the system's error (as the file's own SyncData does), for WAL
// files and for bad descriptors alike.
func TestRawSyncReportsErrors(t *testing.T) {
	if !rawSyncOK {
		t.Skip("raw syncs are Linux only")
	}
	if err := rawSync(^uintptr(0)>>1, true); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("fdatasync of a bad descriptor: %v, want EBADF", err)
	}
	p := &syncPacer{busyFactor: syncBusyFactor}
	fs := pacedFS{FS: vfs.Default, pacer: p, raw: true}
	f, err := fs.Create(filepath.Join(t.TempDir(), "000001.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SyncData(); err != nil {
		t.Fatalf("raw SyncData of an open WAL: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.SyncData(); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("raw SyncData of a closed WAL: %v, want EBADF", err)
	}
	if err := f.Sync(); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("raw Sync of a closed WAL: %v, want EBADF", err)
	}
	if p.syncs != 3 || p.raw != 3 {
		t.Fatalf("%d syncs observed, %d raw; want 3, 3", p.syncs, p.raw)
	}
}

// TestRawSyncsPauseAfterAStall: after a WAL sync that took rawSyncStall or
// more (a stalled disk; a GC stop-the-world would wait for a raw one), the
// next rawSyncHold syncs go through Go's syscall path, then raw again.
func TestRawSyncsPauseAfterAStall(t *testing.T) {
	if !rawSyncOK {
		t.Skip("raw syncs are Linux only")
	}
	p := &syncPacer{busyFactor: syncBusyFactor}
	fs := pacedFS{FS: vfs.Default, pacer: p, raw: true}
	f, err := fs.Create(filepath.Join(t.TempDir(), "000001.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// syncRaw makes one sync after n made-up syncs of took each and says
	// whether it was raw.
	syncRaw := func(n int, took time.Duration) bool {
		t.Helper()
		at := time.Now()
		for range n {
			p.observe(at, at.Add(took), false, false)
			at = at.Add(took + time.Millisecond)
		}
		before := p.raw
		if err := f.SyncData(); err != nil {
			t.Fatal(err)
		}
		return p.raw > before
	}
	if !syncRaw(rawSyncHold, 200*time.Microsecond) {
		t.Error("syncs of 200 us: not raw")
	}
	if syncRaw(1, rawSyncStall) {
		t.Errorf("right after a sync of %v: raw", rawSyncStall)
	}
	if syncRaw(rawSyncHold-2, 200*time.Microsecond) {
		t.Errorf("%d syncs after a stall: raw; want the syscall path for %d", rawSyncHold, rawSyncHold)
	}
	if !syncRaw(rawSyncHold, 200*time.Microsecond) {
		t.Errorf("after %d quick syncs: not raw", rawSyncHold)
	}
}
