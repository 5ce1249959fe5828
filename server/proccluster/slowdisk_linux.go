//go:build linux

package proccluster

import (
	"os"
	"testing"

	"github.com/norikv/norikv-console/server/internal/slowfs"
)

// mountSlowDisk puts dir on a FUSE passthrough file system (slowfs) over
// dir+"-disk" whose syncs wait for delay, unmounted at cleanup. A machine
// where FUSE cannot be mounted skips the test, saying why.
func mountSlowDisk(t testing.TB, dir string, delay *slowfs.Delay) {
	t.Helper()
	backing := dir + "-disk"
	if err := os.MkdirAll(backing, 0o755); err != nil {
		t.Fatal(err)
	}
	unmount, err := slowfs.Mount(dir, backing, delay)
	if err != nil {
		t.Skipf("proccluster: a slow disk for %s: %v: this test needs root (CI's .ci/run runs as root) and /dev/fuse", dir, err)
	}
	t.Cleanup(func() {
		if err := unmount(); err != nil {
			t.Errorf("proccluster: %v", err)
		}
	})
}
