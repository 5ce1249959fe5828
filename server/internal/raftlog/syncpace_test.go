package raftlog

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/hashicorp/raft"
)

// TestSyncPacerDelaysOnlyCrowdedSyncs drives the pacer with made-up sync
// times: a lone sync, or one long after the last, asks for no delay; a sync
// that began right after the last one's end (not counting the delay the
// pacer asked for) asks for one sync duration, at most maxSyncDelay, but
// only if two commits overlapped since the last sync.
func TestSyncPacerDelaysOnlyCrowdedSyncs(t *testing.T) {
	p := &syncPacer{busyFactor: syncBusyFactor}
	us := time.Microsecond
	t0 := time.Unix(1700000000, 0)
	at := t0
	crowd := func() {
		p.commitStarted()
		p.commitStarted()
		p.commitEnded()
		p.commitEnded()
	}
	sync := func(after, took time.Duration) time.Duration {
		t.Helper()
		at = at.Add(after)
		p.observe(at, at.Add(took))
		at = at.Add(took)
		return p.interval()
	}

	crowd()
	if d := sync(0, 100*us); d != 0 {
		t.Fatalf("first sync: delay %v, want 0", d)
	}
	crowd()
	if d := sync(5*time.Millisecond, 100*us); d != 0 {
		t.Fatalf("sync 5 ms after the last: delay %v, want 0", d)
	}
	crowd()
	if d := sync(10*us, 100*us); d != 100*us {
		t.Fatalf("sync 10 us after the last: delay %v, want one sync duration (100us)", d)
	}
	// Commits waited for the delay: the next sync starts as it ends.
	crowd()
	if d := sync(100*us+5*us, 100*us); d != 100*us {
		t.Fatalf("sync right after the delay: delay %v, want 100us", d)
	}
	// The same timing with one commit at a time: nobody to wait for.
	p.commitStarted()
	p.commitEnded()
	if d := sync(5*us, 100*us); d != 0 {
		t.Fatalf("close sync of a lone writer: delay %v, want 0", d)
	}
	crowd()
	if d := sync(5*us, 100*us); d != 100*us {
		t.Fatalf("close crowded sync: delay %v, want 100us", d)
	}
	// Nothing came during the delay: the next sync is 1 ms later.
	crowd()
	if d := sync(100*us+time.Millisecond, 100*us); d != 0 {
		t.Fatalf("sync 1 ms after the delay: delay %v, want 0", d)
	}
	// A slow disk: back-to-back syncs of 5 ms wait at most maxSyncDelay.
	var d time.Duration
	for range 40 {
		crowd()
		d = sync(0, 5*time.Millisecond)
	}
	if d != maxSyncDelay {
		t.Fatalf("back-to-back 5 ms syncs: delay %v, want the cap %v", d, maxSyncDelay)
	}
	if p.syncs != 47 || p.delayed != 43 {
		t.Fatalf("counted %d syncs, %d delayed; want 47, 43", p.syncs, p.delayed)
	}
}

// TestPacedFSTimesOnlyWALSyncs checks that new and recycled write-ahead log
// files report their syncs to the pacer and other files do not.
func TestPacedFSTimesOnlyWALSyncs(t *testing.T) {
	dir := t.TempDir()
	p := &syncPacer{busyFactor: syncBusyFactor}
	fs := pacedFS{FS: vfs.Default, pacer: p}
	syncs := func(name string, create func() (vfs.File, error)) int {
		t.Helper()
		before := p.syncs
		f, err := create()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("record")); err != nil {
			t.Fatal(err)
		}
		if err := f.SyncData(); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return p.syncs - before
	}
	wal := filepath.Join(dir, "000004.log")
	if n := syncs("new WAL", func() (vfs.File, error) { return fs.Create(wal) }); n != 2 {
		t.Errorf("new WAL: %d syncs observed, want 2", n)
	}
	recycled := filepath.Join(dir, "000009.log")
	if n := syncs("recycled WAL", func() (vfs.File, error) { return fs.ReuseForWrite(wal, recycled) }); n != 2 {
		t.Errorf("recycled WAL: %d syncs observed, want 2", n)
	}
	if _, err := os.Stat(recycled); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(dir, "000010.sst")
	if n := syncs("table", func() (vfs.File, error) { return fs.Create(table) }); n != 0 {
		t.Errorf("table: %d syncs observed, want 0", n)
	}
}

// TestFsyncStorePacesCrowdedCommits commits from 16 goroutines at once, as
// 16 groups' leaders and followers do, on a store with fsync: the WAL's
// syncs go through the pacer, which asks for delays, and every commit is
// readable afterwards. One goroutine committing back to back first: its
// syncs follow each other closely, but it waits for no delay.
func TestFsyncStorePacesCrowdedCommits(t *testing.T) {
	db := openTest(t, t.TempDir(), true)
	defer db.Close()
	if db.pacer == nil {
		t.Fatal("an fsync store has no sync pacer")
	}
	lone := mustStore(t, db, "lone")
	for i := uint64(1); i <= 50; i++ {
		if err := lone.StoreLogs([]*raft.Log{entry(i, 1, "v")}); err != nil {
			t.Fatal(err)
		}
	}
	db.pacer.mu.Lock()
	loneSyncs, loneDelayed := db.pacer.syncs, db.pacer.delayed
	db.pacer.mu.Unlock()
	if loneSyncs < 50 || loneDelayed != 0 {
		t.Fatalf("lone writer, 50 commits: %d syncs, %d delayed; want >= 50 syncs, none delayed", loneSyncs, loneDelayed)
	}

	const writers, commits = 16, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		s := mustStore(t, db, "group-"+string(rune('a'+w)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(1); i <= commits; i++ {
				if err := s.StoreLogs([]*raft.Log{entry(i, 1, "value")}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	db.pacer.mu.Lock()
	syncs, delayed := db.pacer.syncs-loneSyncs, db.pacer.delayed
	db.pacer.mu.Unlock()
	if delayed == 0 {
		t.Fatalf("16 writers: %d syncs, none delayed", syncs)
	}
	t.Logf("16 writers x %d commits: %d syncs, %d delayed", commits, syncs, delayed)
	for w := range writers {
		s := mustStore(t, db, "group-"+string(rune('a'+w)))
		checkBounds(t, s, 1, commits)
	}
}
