//go:build linux

package proccluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// fillerName is the file FillDisk writes into a node's data directory.
const fillerName = "proccluster-filler"

// mountSmallDisk mounts a tmpfs of size bytes on dir (created), and
// unmounts it (lazily: a node may still hold files open) at cleanup. A
// machine where mounting is not permitted skips the test.
func mountSmallDisk(t testing.TB, dir string, size int64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size))
	if err != nil {
		t.Skipf("proccluster: cannot mount a %d-byte tmpfs on %s for a node's data dir (%v): this test needs root or CAP_SYS_ADMIN (CI's .ci/run runs as root)", size, dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("proccluster: unmount %s: %v", dir, err)
		}
	})
}

// FillDisk fills the file system holding a node's data directory (a
// DiskLimit tmpfs) with a filler file until it is full, leaving keep bytes
// free, and returns the bytes written. FreeDisk deletes the filler.
func (c *Cluster) FillDisk(t testing.TB, id string, keep int64) int64 {
	t.Helper()
	if _, ok := c.opts.DiskLimit[id]; !ok {
		t.Fatalf("proccluster: fill %s's disk: not on a DiskLimit tmpfs (the machine's own disk would fill up)", id)
	}
	path := filepath.Join(c.dataDirs[id], fillerName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("proccluster: fill %s's disk: %v", id, err)
	}
	defer f.Close()
	var st syscall.Statfs_t
	if err := syscall.Statfs(c.dataDirs[id], &st); err != nil {
		t.Fatalf("proccluster: fill %s's disk: %v", id, err)
	}
	want := int64(st.Bavail)*st.Bsize - keep
	if want <= 0 {
		return 0
	}
	n, err := io.CopyN(f, zeros{}, want)
	if err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("proccluster: fill %s's disk: %v", id, err)
	}
	return n
}

// FreeDisk deletes the filler FillDisk wrote into a node's data directory.
func (c *Cluster) FreeDisk(t testing.TB, id string) {
	t.Helper()
	if err := os.Remove(filepath.Join(c.dataDirs[id], fillerName)); err != nil && !os.IsNotExist(err) {
		t.Fatalf("proccluster: free %s's disk: %v", id, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
