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

// runningDevcluster is a Devcluster a test started and that said it is
// ready.
type runningDevcluster struct {
	args   []string
	ctx    context.Context
	cancel context.CancelFunc
	code   chan int
	stderr lockedBuffer
	// line is its first line ("ready ADDR1,..."), addrs the addresses on it.
	line  string
	addrs []string
}

// startDevcluster runs Devcluster with args until it prints its ready line
// (what it prints after is read and dropped); it is cancelled when the
// test ends unless stop stopped it first.
func startDevcluster(t *testing.T, args ...string) *runningDevcluster {
	t.Helper()
	d := &runningDevcluster{args: args, code: make(chan int, 1)}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	t.Cleanup(d.cancel)
	pr, pw := io.Pipe()
	go func() {
		d.code <- Devcluster(d.ctx, args, pw, &d.stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("devcluster %v: read ready line: %v (stderr: %s)", args, err, d.stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	addrs, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok {
		t.Fatalf("devcluster %v: first line %q, want ready ADDR1,...", args, line)
	}
	d.line, d.addrs = line, strings.Split(addrs, ",")
	return d
}

// nodeStatus asks the node at d.addrs[i] for its status.
func (d *runningDevcluster) nodeStatus(t *testing.T, i int) *consolepb.NodeStatusResponse {
	t.Helper()
	conn, err := grpc.NewClient(d.addrs[i], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := consolepb.NewConsoleClient(conn).NodeStatus(d.ctx, &consolepb.NodeStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// stop cancels the devcluster and fails t unless it exits 0 within d.
func (d *runningDevcluster) stop(t *testing.T, within time.Duration) {
	t.Helper()
	d.cancel()
	select {
	case c := <-d.code:
		if c != 0 {
			t.Fatalf("devcluster %v: exit code %d, stderr %s", d.args, c, d.stderr.String())
		}
	case <-time.After(within):
		t.Fatalf("devcluster %v did not stop within %s of cancellation", d.args, within)
	}
}
