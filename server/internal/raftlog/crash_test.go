package raftlog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

// crashDirEnv, when set, makes TestCrashWriterChild the writer of
// TestSIGKILLMidBatchKeepsReportedWrites instead of a test.
const (
	crashDirEnv   = "RAFTLOG_CRASH_DIR"
	crashFsyncEnv = "RAFTLOG_CRASH_FSYNC"
	crashGroups   = 16
)

func crashData(group int, index uint64) []byte {
	unit := fmt.Sprintf("g%d/%d;", group, index)
	return bytes.Repeat([]byte(unit), 1+int(index*37%200))
}

// TestCrashWriterChild appends batches to 16 groups from 16 goroutines and
// prints "group index" after each batch is stored, until it is killed.
func TestCrashWriterChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestSIGKILLMidBatchKeepsReportedWrites")
	}
	db, err := Open(dir, Options{Fsync: os.Getenv(crashFsyncEnv) == "1"})
	if err != nil {
		t.Fatal(err)
	}
	var out sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < crashGroups; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := db.Store(fmt.Sprint("g", g))
			if err != nil {
				panic(err)
			}
			next := uint64(1)
			for n := 0; ; n++ {
				var batch []*raft.Log
				for k := 0; k < 1+n%8; k++ {
					batch = append(batch, &raft.Log{Index: next, Term: 1, Type: raft.LogCommand, Data: crashData(g, next)})
					next++
				}
				if err := s.StoreLogs(batch); err != nil {
					panic(err)
				}
				if err := s.SetUint64([]byte("last"), next-1); err != nil {
					panic(err)
				}
				out.Lock()
				fmt.Fprintf(os.Stdout, "%d %d\n", g, next-1)
				out.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestSIGKILLMidBatchKeepsReportedWrites kills a writer process while 16
// groups are committing batches, then checks that every write it reported
// as stored is there after reopening, with no hole before it.
func TestSIGKILLMidBatchKeepsReportedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a writer process")
	}
	for _, fsync := range []bool{true, false} {
		t.Run(fmt.Sprint("fsync=", fsync), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriterChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashFsyncEnv+"="+map[bool]string{true: "1", false: "0"}[fsync])
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[int]uint64{}
			sc := bufio.NewScanner(stdout)
			lines, killed := 0, false
			deadline := time.Now().Add(60 * time.Second)
			for sc.Scan() {
				g, idx, ok := parseAck(sc.Text())
				if !ok {
					continue // the test framework's own output
				}
				if idx > acked[g] {
					acked[g] = idx
				}
				lines++
				// Kill once every group has written and batches are in flight.
				if !killed && (lines >= 3000 || time.Now().After(deadline)) && len(acked) == crashGroups {
					_ = cmd.Process.Signal(syscall.SIGKILL)
					killed = true
				}
			}
			_ = cmd.Wait()
			if !killed {
				t.Fatalf("writer exited before it was killed after %d acknowledgements", lines)
			}
			db := openTest(t, dir, fsync)
			defer db.Close()
			for g := 0; g < crashGroups; g++ {
				s := mustStore(t, db, fmt.Sprint("g", g))
				first, _ := s.FirstIndex()
				last, err := s.LastIndex()
				if err != nil {
					t.Fatal(err)
				}
				if first != 1 || last < acked[g] {
					t.Fatalf("group %d holds entries %d-%d after the crash, but the writer reported %d stored", g, first, last, acked[g])
				}
				var l raft.Log
				for i := uint64(1); i <= last; i++ {
					if err := s.GetLog(i, &l); err != nil {
						t.Fatalf("group %d entry %d of %d (reported %d): %v", g, i, last, acked[g], err)
					}
					if !bytes.Equal(l.Data, crashData(g, i)) {
						t.Fatalf("group %d entry %d has wrong data after the crash", g, i)
					}
				}
				if v, err := s.GetUint64([]byte("last")); err != nil || v < acked[g] {
					t.Fatalf("group %d stable value %d, %v; reported %d", g, v, err, acked[g])
				}
			}
			t.Logf("%d acknowledged batches survived SIGKILL", lines)
		})
	}
}

func parseAck(line string) (int, uint64, bool) {
	gs, is, ok := strings.Cut(line, " ")
	if !ok {
		return 0, 0, false
	}
	g, err1 := strconv.Atoi(gs)
	i, err2 := strconv.ParseUint(is, 10, 64)
	return g, i, err1 == nil && err2 == nil
}
