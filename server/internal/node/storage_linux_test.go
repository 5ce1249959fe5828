package node

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/raftlog"
)

// TestSnapshotStopsAtTheLogReserve: a snapshot written to the disk the Raft
// log shares fails once the disk is down to the log's reserve, instead of
// filling it (the log engine then met the full disk itself and the process
// exited). The disk is a 64 MiB tmpfs with 20 MiB free and a 16 MiB
// reserve; the snapshot tries to write 12 MiB.
func TestSnapshotStopsAtTheLogReserve(t *testing.T) {
	disk := t.TempDir()
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size="+strconv.Itoa(64<<20)); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): this test needs root or CAP_SYS_ADMIN (CI runs as root)", disk, err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(disk, syscall.MNT_DETACH) })
	db, err := raftlog.Open(filepath.Join(disk, "raftlog"), raftlog.Options{MinFree: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fss, err := raft.NewFileSnapshotStoreWithLogger(filepath.Join(disk, "group-0"), 2, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	snaps := reserveGuard{SnapshotStore: fss, reserve: db.ReserveErr}

	var st syscall.Statfs_t
	if err := syscall.Statfs(disk, &st); err != nil {
		t.Fatal(err)
	}
	filler, err := os.Create(filepath.Join(disk, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(filler, zeros{}, int64(st.Bavail)*st.Bsize-20<<20); err != nil {
		t.Fatal(err)
	}
	_ = filler.Close()

	sink, err := snaps.Create(raft.SnapshotVersionMax, 10, 1, raft.Configuration{}, 1, nil)
	if err != nil {
		t.Fatalf("snapshot refused with 20 MiB free of a 16 MiB reserve: %v", err)
	}
	chunk := make([]byte, 64<<10)
	written := 0
	for ; written < 12<<20; written += len(chunk) {
		if _, err = sink.Write(chunk); err != nil {
			break
		}
	}
	_ = sink.Cancel()
	if !errors.Is(err, raftlog.ErrNoSpace) {
		t.Fatalf("a 12 MiB snapshot with 20 MiB free and a 16 MiB reserve wrote %d MiB, error %v: want it stopped at the reserve (ErrNoSpace)", written>>20, err)
	}
	t.Logf("stopped after %d MiB: %v", written>>20, err)
	if _, err := snaps.Create(raft.SnapshotVersionMax, 11, 1, raft.Configuration{}, 1, nil); err != nil {
		t.Fatalf("a snapshot after the cancelled one (its space given back): %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
