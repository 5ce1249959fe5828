package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/cluster/tlstest"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runInProcess runs cmd until it prints a line starting with "ready ",
// returns the rest of that line and the stderr so far, and stops it when
// the test ends (checking it exits 0).
func runInProcess(t *testing.T, cmd func(context.Context, []string, io.Writer, io.Writer) int, args []string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- cmd(ctx, args, pw, stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("%v: exit %d, stderr %s", args, c, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Errorf("%v did not stop within 15s of cancellation", args)
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				lines <- rest
			}
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case rest, ok := <-lines:
		if !ok {
			t.Fatalf("%v exited before ready: %s", args, stderr.String())
		}
		return rest, stderr
	case <-time.After(60 * time.Second):
		t.Fatalf("%v never printed ready: %s", args, stderr.String())
	}
	return "", nil
}

func nodeStatusWith(t *testing.T, addr string, creds credentials.TransportCredentials) error {
	t.Helper()
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = consolepb.NewConsoleClient(cc).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
	return err
}

func TestServeMutualTLS(t *testing.T) {
	f := tlstest.New(t)
	ports := freeAddrs(t, 2)
	addr, stderr := runInProcess(t, Serve, []string{"--id", "n1", "--addr", ports[0], "--raft-addr", ports[1],
		"--data-dir", filepath.Join(t.TempDir(), "n1"), "--shards", "8", "--groups", "2", "--fsync=false",
		"--tls-cert", f.CertFile, "--tls-key", f.KeyFile, "--tls-client-ca", f.CAFile})
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(f.ClientConfig(t, true))))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := norikvpb.NewKvClient(cc).Put(ctx, &norikvpb.PutRequest{Key: []byte("k"), Value: []byte("v")}); err != nil {
		t.Fatalf("mTLS client: %v", err)
	}
	if err := nodeStatusWith(t, addr, credentials.NewTLS(f.ClientConfig(t, false))); err == nil {
		t.Fatal("a client without a certificate was served")
	}
	if err := nodeStatusWith(t, addr, insecure.NewCredentials()); err == nil {
		t.Fatal("a plaintext client was served")
	}
	if strings.Contains(stderr.String(), "warning") {
		t.Fatalf("warning on a loopback TLS node: %s", stderr.String())
	}
}

func TestServeWarnsOnPlaintextBeyondLoopback(t *testing.T) {
	ports := freeAddrs(t, 2)
	public := strings.Replace(ports[0], "127.0.0.1", "0.0.0.0", 1)
	_, stderr := runInProcess(t, Serve, []string{"--id", "n1", "--addr", public, "--raft-addr", ports[1],
		"--data-dir", filepath.Join(t.TempDir(), "n1"), "--shards", "8", "--groups", "2", "--fsync=false"})
	want := "serve: warning: --addr " + public + " is not a loopback address and TLS is off"
	if !strings.Contains(stderr.String(), want) {
		t.Fatalf("stderr %q lacks %q", stderr.String(), want)
	}
	if strings.Contains(stderr.String(), "--raft-addr") {
		t.Fatalf("warned about the loopback replication address: %s", stderr.String())
	}
}

func TestDevclusterTLS(t *testing.T) {
	f := tlstest.New(t)
	addrs, _ := runInProcess(t, Devcluster, []string{"--nodes", "3", "--shards", "16", "--groups", "2",
		"--tls-cert", f.CertFile, "--tls-key", f.KeyFile})
	for _, addr := range strings.Split(addrs, ",") {
		if err := nodeStatusWith(t, addr, credentials.NewTLS(f.ClientConfig(t, false))); err != nil {
			t.Fatalf("TLS client on %s: %v", addr, err)
		}
	}
	if err := nodeStatusWith(t, strings.Split(addrs, ",")[0], insecure.NewCredentials()); err == nil {
		t.Fatal("a plaintext client was served by a TLS devcluster")
	}
}
