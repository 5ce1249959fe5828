//go:build unix && !linux

package proccluster

import (
	"testing"

	"github.com/norikv/norikv-console/server/internal/slowfs"
)

func mountSlowDisk(t testing.TB, dir string, _ *slowfs.Delay) {
	t.Skip("proccluster: a slow disk (Options.SlowDisk) needs FUSE through slowfs, which is Linux-only")
}
