package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
)

// lockedBuffer is a bytes.Buffer safe to read while Devcluster writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// devclusterStatus runs devcluster with args until it is ready, asks n1
// for its shard and group counts, stops it, and returns them with its
// stderr.
func devclusterStatus(t *testing.T, args ...string) (shards, groups uint32, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- Devcluster(ctx, args, pw, &errb)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("devcluster %v: read ready line: %v (stderr: %s)", args, err, errb.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	addrs, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok {
		t.Fatalf("devcluster %v: first line %q, want ready ADDR1,...", args, line)
	}
	conn, err := grpc.NewClient(strings.Split(addrs, ",")[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := consolepb.NewConsoleClient(conn).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("devcluster %v: exit code %d, stderr %s", args, c, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("devcluster %v did not stop within 30 s of cancellation", args)
	}
	return st.TotalShards, st.TotalGroups, errb.String()
}

// TestDevclusterKeepsItsDataDirsCounts: a --data-dir created with
// --shards 64 --groups 16 started again without --shards and --groups
// keeps 64 and 16 (not the defaults 1024 and 6) and says so once on
// stderr; other counts given on the command line are still refused. On
// the old code the second start took the defaults and was refused.
func TestDevclusterKeepsItsDataDirsCounts(t *testing.T) {
	dir := t.TempDir()
	if s, g, _ := devclusterStatus(t, "--nodes", "3", "--shards", "64", "--groups", "16", "--data-dir", dir); s != 64 || g != 16 {
		t.Fatalf("created with --shards 64 --groups 16: node status says %d shards, %d groups", s, g)
	}
	s, g, stderr := devclusterStatus(t, "--nodes", "3", "--data-dir", dir)
	if s != 64 || g != 16 {
		t.Fatalf("restarted without counts: %d shards, %d groups; want the data dir's 64 and 16 (stderr: %s)", s, g, stderr)
	}
	want := "devcluster: data dir " + dir + " was created with --shards 64 --groups 16; keeping them"
	if n := strings.Count(stderr, want); n != 1 {
		t.Errorf("stderr says %d times %q (want once):\n%s", n, want, stderr)
	}

	var out, errb bytes.Buffer
	if code := Devcluster(context.Background(), []string{"--nodes", "3", "--groups", "4", "--data-dir", dir}, &out, &errb); code != exitError ||
		!strings.Contains(errb.String(), "64 shards, 16 groups") {
		t.Errorf("--groups 4 on a data dir of 16 groups: exit %d, stderr %q; want a refusal naming the recorded counts", code, errb.String())
	}
}
