package raftlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// smallDisk mounts a tmpfs of size bytes for the test, or skips it when
// mounting is not permitted (it needs root or CAP_SYS_ADMIN).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.Itoa(size)); err != nil {
		t.Skipf("cannot mount a %d-byte tmpfs on %s (%v): this test needs root or CAP_SYS_ADMIN (CI runs as root)", size, dir, err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// fill writes a filler file into dir until keep bytes are left free.
func fill(t *testing.T, dir string, keep uint64) string {
	t.Helper()
	free, err := freeBytes(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, zeroReader{}, int64(free-keep)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFullDiskRefusesEntriesAndRecovers: once its disk has less than
// MinFree free, StoreLogs refuses entries with ErrNoSpace before Pebble
// meets the full disk (which ended the process), OnSpace is told once,
// and when space is back the engine takes entries again without being
// reopened; everything stored before reads back, also after a reopen.
func TestFullDiskRefusesEntriesAndRecovers(t *testing.T) {
	disk := smallDisk(t, 64<<20)
	var mu sync.Mutex
	var told []error
	db, err := Open(filepath.Join(disk, "raftlog"), Options{Fsync: true, MinFree: 16 << 20, OnSpace: func(err error) {
		mu.Lock()
		told = append(told, err)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := mustStore(t, db, "g1")
	next := uint64(1)
	store := func() error {
		err := s.StoreLogs([]*raft.Log{entry(next, 1, "v")})
		if err == nil {
			next++
		}
		return err
	}
	for i := 0; i < 10; i++ {
		if err := store(); err != nil {
			t.Fatal(err)
		}
	}
	filler := fill(t, disk, 8<<20)
	var refused error
	deadline := time.Now().Add(time.Minute)
	for refused == nil && time.Now().Before(deadline) {
		refused = store()
	}
	if !errors.Is(refused, ErrNoSpace) {
		t.Fatalf("StoreLogs with 8 MiB free of a 16 MiB reserve: %v, want an error wrapping ErrNoSpace", refused)
	}
	for i := 0; i < 100; i++ {
		if err := store(); !errors.Is(err, ErrNoSpace) {
			t.Fatalf("StoreLogs #%d while full: %v, want ErrNoSpace", i, err)
		}
	}
	mu.Lock()
	if len(told) != 1 || !errors.Is(told[0], ErrNoSpace) || db.SpaceErr() == nil {
		t.Fatalf("OnSpace told %v (SpaceErr %v), want one error wrapping ErrNoSpace", told, db.SpaceErr())
	}
	mu.Unlock()

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for store() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("StoreLogs still refused a minute after the filler was removed: %v", db.SpaceErr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	if len(told) != 2 || told[1] != nil {
		t.Fatalf("OnSpace told %v, want the full state and then nil", told)
	}
	mu.Unlock()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, filepath.Join(disk, "raftlog"), true)
	defer db.Close()
	checkBounds(t, mustStore(t, db, "g1"), 1, next-1)
}

// envFullChild makes the test binary the child of
// TestEngineMeetingAFullDiskExitsWithOneLine: it writes into the engine in
// the directory named until the process ends.
const envFullChild = "NORIKV_RAFTLOG_FULL_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envFullChild); dir != "" {
		writeUntilFull(dir)
	}
	if dir := os.Getenv(envFatalChild); dir != "" {
		failAtOnce(dir)
	}
	os.Exit(m.Run())
}

// writeUntilFull opens the engine in dir, fills its disk to 2 MiB and has
// 4 writers store 512 KiB stable values (Set, which the reserve does not
// stop, as a log append that passed the reserve check just before the
// disk filled) until Pebble meets the full disk.
func writeUntilFull(dir string) {
	db, err := Open(filepath.Join(dir, "raftlog"), Options{Fsync: true, MinFree: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(3)
	}
	free, _ := freeBytes(dir)
	f, _ := os.Create(filepath.Join(dir, "filler"))
	_, _ = io.CopyN(f, zeroReader{}, int64(free-2<<20))
	_ = f.Close()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _ := db.Store("g" + strconv.Itoa(w))
			for i := 0; ; i++ {
				if err := s.Set([]byte(strconv.Itoa(i)), make([]byte, 512<<10)); err != nil {
					fmt.Fprintln(os.Stderr, "child: Set returned:", err)
					os.Exit(4)
				}
			}
		}()
	}
	wg.Wait()
}

// TestEngineMeetingAFullDiskExitsWithOneLine: when Pebble itself meets
// the full disk (it filled faster than it was measured), the process
// ends with one line naming the directory, the full disk and what to do,
// and exit code 1: before, Pebble's own Fatalf line ("pebble: fatal
// commit error: ...", no advice) raced the commits queued behind the
// failed one, which panic with a stack trace. Reopened once space is
// back, the engine holds whole entries only.
func TestEngineMeetingAFullDiskExitsWithOneLine(t *testing.T) {
	disk := smallDisk(t, 48<<20)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envFullChild+"="+disk)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit code 1; stderr:\n%s", err, stderr.String())
	}
	out := strings.TrimSpace(stderr.String())
	want := regexp.MustCompile(`^norikv: the Raft log engine in ` + regexp.QuoteMeta(filepath.Join(disk, "raftlog")) + ` stopped: .*no space left on device.*free space on it .*start the node again`)
	if strings.Count(out, "\n") != 0 || !want.MatchString(out) {
		t.Fatalf("child's stderr is not one line naming the engine, the full disk and what to do:\n%s", out)
	}
	t.Logf("child: %s", out)
	if err := os.Remove(filepath.Join(disk, "filler")); err != nil {
		t.Fatal(err)
	}
	db := openTest(t, filepath.Join(disk, "raftlog"), true)
	defer db.Close()
	for w := 0; w < 4; w++ {
		s := mustStore(t, db, "g"+strconv.Itoa(w))
		for i := 0; ; i++ {
			v, err := s.Get([]byte(strconv.Itoa(i)))
			if err != nil && err.Error() == "not found" {
				break
			}
			if err != nil || len(v) != 512<<10 {
				t.Fatalf("g%d value %d after reopening: %d bytes, %v", w, i, len(v), err)
			}
		}
	}
}
