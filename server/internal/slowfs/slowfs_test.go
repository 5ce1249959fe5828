//go:build linux

package slowfs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSyncsWaitForTheDelay(t *testing.T) {
	backing, dir := t.TempDir(), filepath.Join(t.TempDir(), "mnt")
	d := NewDelay(0)
	unmount, err := Mount(dir, backing, d)
	if err != nil {
		t.Skipf("cannot mount FUSE here: %v", err)
	}
	defer func() {
		if err := unmount(); err != nil {
			t.Error(err)
		}
	}()
	f, err := os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	backing, dir := t.TempDir(), filepath.Join(t.TempDir(), "mnt")
	d := NewDelay(time.Hour)
	unmount, err := Mount(dir, backing, d)
	if err != nil {
		t.Skipf("cannot mount FUSE here: %v", err)
	}
	defer func() {
		if err := unmount(); err != nil {
			t.Error(err)
		}
	}()
	f, err := os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
