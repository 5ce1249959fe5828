package journal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDirFollowsXDGStateHome(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/tmp/state")
	if d, err := Dir(); err != nil || d != "/tmp/state/norikv-console" {
		t.Fatalf("Dir() = %q, %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/ada")
	if d, err := Dir(); err != nil || d != filepath.Join("/home/ada", ".local", "state", "norikv-console") {
		t.Fatalf("Dir() without XDG_STATE_HOME = %q, %v", d, err)
	}
}

// TestConcurrentWritersThenClose: lines from many goroutines all land, one
// per line, and writing after Close is a no-op, not a panic.
func TestConcurrentWritersThenClose(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				j.Audit(Record{Op: "put", Key: "k", Result: "ok"})
				j.Logf("line %d", i)
			}
		}()
	}
	wg.Wait()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j.Audit(Record{Op: "late"})
	data, err := os.ReadFile(j.AuditPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 400 {
		t.Fatalf("%d audit lines, want 400", len(lines))
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil || r.Op != "put" || r.Time.IsZero() {
		t.Fatalf("%s: %+v %v", lines[0], r, err)
	}
	var nilJ *Journal
	nilJ.Logf("nothing")
	nilJ.Audit(Record{})
	if nilJ.Close() != nil || nilJ.LogPath() != "" {
		t.Fatal("nil journal is not a no-op")
	}
}

func TestBigLogRotatesAtOpenAuditNever(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, MaxLogBytes+1)
	for _, name := range []string{LogName, AuditName} {
		if err := os.WriteFile(filepath.Join(dir, name), big, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	j.Logf("fresh")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, LogName+".1")); err != nil || fi.Size() != int64(len(big)) {
		t.Fatalf("old log not kept as .1: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, LogName)); fi.Size() > 100 {
		t.Fatalf("new log is %d bytes", fi.Size())
	}
	if fi, _ := os.Stat(filepath.Join(dir, AuditName)); fi.Size() != int64(len(big)) {
		t.Fatal("the audit file was rotated")
	}
}
