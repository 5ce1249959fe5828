package headless

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
)

// seedScan writes n keys prefix0000.. once per test.
func seedScan(t *testing.T, prefix string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		must(t, "", "put", fmt.Sprintf("%s%04d", prefix, i), strings.Repeat("x", i), nodesFlag())
	}
}

// TestScanStreamsPagesInOrder: scan reads small pages and prints every key
// in order as JSON lines; --limit stops early.
func TestScanStreamsPagesInOrder(t *testing.T) {
	seedScan(t, "scan:", 25)
	out := must(t, "", "scan", "--prefix", "scan:", "--page-size", "4", nodesFlag())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 25 {
		t.Fatalf("%d lines, want 25:\n%s", len(lines), out)
	}
	for i, l := range lines {
		var e scanEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d %q is not JSON: %v", i, l, err)
		}
		if want := fmt.Sprintf("scan:%04d", i); e.Key != want || e.Size != uint64(i) {
			t.Fatalf("line %d = %+v, want key %s size %d", i, e, want, i)
		}
	}
	out = must(t, "", "scan", "--prefix", "scan:", "--limit", "7", "--page-size", "3", nodesFlag())
	if n := strings.Count(out, "\n"); n != 7 {
		t.Fatalf("--limit 7 printed %d lines", n)
	}
}

// TestScanGolden: the table and JSON lines of a small scan.
func TestScanGolden(t *testing.T) {
	seedScan(t, "scangold:", 3)
	must(t, "", "put", "scangold:ttl", "t", "--ttl", "1h", nodesFlag())
	for _, f := range []string{"table", "json"} {
		t.Run(f, func(t *testing.T) {
			out := must(t, "", "scan", "--prefix", "scangold:", "-o", f, nodesFlag())
			golden.RequireEqual(t, normalize(out, f == "table"))
		})
	}
}

// epipeWriter fails every write after the first like a pipe whose reader
// exited (`scan | head -1`).
type epipeWriter struct{ writes int }

func (w *epipeWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > 1 {
		return 0, syscall.EPIPE
	}
	return len(p), nil
}

// TestScanStopsQuietlyOnEPIPE: when the reader goes away the scan stops at
// the next page, exits 0 and prints nothing on stderr.
func TestScanStopsQuietlyOnEPIPE(t *testing.T) {
	seedScan(t, "epipe:", 30)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	w := &epipeWriter{}
	var errOut strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Run(ctx, "scan", []string{"--prefix", "epipe:", "--page-size", "2", nodesFlag()}, IO{Stdout: w, Stderr: &errOut})
	if code != ExitOK || errOut.String() != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut.String())
	}
	if w.writes != 2 {
		t.Fatalf("%d writes: the scan should stop at the first failed page flush", w.writes)
	}
}

// TestScanTableStreamsHeaderFirst: the table's header and rows come page by
// page through a reader that sees them as they are flushed.
func TestScanTableStreamsHeaderFirst(t *testing.T) {
	seedScan(t, "tbl:", 5)
	out := must(t, "", "scan", "--prefix", "tbl:", "-o", "table", "--page-size", "2", nodesFlag())
	sc := bufio.NewScanner(strings.NewReader(out))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "KEY") || !strings.HasPrefix(lines[5], "tbl:0004") {
		t.Fatalf("want a header and 5 rows, got:\n%s", out)
	}
}
