//go:build unix && !linux

package proccluster

import "testing"

func mountSmallDisk(t testing.TB, dir string, size int64) {
	t.Skipf("proccluster: a %d-byte data dir needs a tmpfs mount, which this helper does only on Linux", size)
}

// FillDisk is Linux-only (see disk_linux.go).
func (c *Cluster) FillDisk(t testing.TB, id string, keep int64) int64 {
	t.Skip("proccluster: FillDisk is Linux-only")
	return 0
}

// FreeDisk is Linux-only (see disk_linux.go).
func (c *Cluster) FreeDisk(t testing.TB, id string) { t.Skip("proccluster: FreeDisk is Linux-only") }
