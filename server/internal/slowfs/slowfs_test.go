//go:build linux

package slowfs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSyncsWaitForTheDelay(t *testing.T) {
	d := NewDelay(0)
	f, backing := mountedFile(t, d)
	if _, err := f.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	d.Set(300 * time.Millisecond)
	start := time.Now()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	// A lower bound only: a busy machine may make it longer, never shorter.
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("fsync with a 300 ms delay took %v", took)
	}
	if n := d.Syncs(); n != 2 {
		t.Errorf("%d syncs served, want 2", n)
	}
	got, err := os.ReadFile(filepath.Join(backing, "a"))
	if err != nil || string(got) != "hello" {
		t.Errorf("backing file holds %q (%v), want hello", got, err)
	}
}

// TestLoweringTheDelayReleasesWaitingSyncs: a disk that recovers ends the
// syncs hanging on it.
func TestLoweringTheDelayReleasesWaitingSyncs(t *testing.T) {
	d := NewDelay(time.Hour)
	f, _ := mountedFile(t, d)
	done := make(chan error, 1)
	go func() { done <- f.Sync() }()
	for d.Syncs() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("a sync with an hour's delay returned at once (%v)", err)
	default:
	}
	d.Set(0)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// mountedFile mounts a slow file system delayed by d on a temporary
// directory (skipping the test where FUSE cannot be mounted) and creates a
// file in it; both are closed at the end of the test. backing is the
// directory the file system passes through to.
func mountedFile(t *testing.T, d *Delay) (f *os.File, backing string) {
	t.Helper()
	backing = t.TempDir()
	dir := filepath.Join(t.TempDir(), "mnt")
	unmount, err := Mount(dir, backing, d)
	if err != nil {
		t.Skipf("cannot mount FUSE here: %v", err)
	}
	t.Cleanup(func() {
		if err := unmount(); err != nil {
			t.Error(err)
		}
	})
	f, err = os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, backing
}
