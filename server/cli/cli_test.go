package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/consolepb"
)

func TestDevclusterReadyThenCleanStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- Devcluster(ctx, []string{"--nodes", "3", "--shards", "64", "--groups", "4"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read ready line: %v (stderr: %s)", err, stderr.String())
	}
	addrs, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok || len(strings.Split(addrs, ",")) != 3 {
		t.Fatalf("first line %q, want ready ADDR1,ADDR2,ADDR3", line)
	}
	conn, err := grpc.NewClient(strings.Split(addrs, ",")[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := consolepb.NewConsoleClient(conn).NodeStatus(ctx, &consolepb.NodeStatusRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if st.NodeId != "n2" || st.TotalShards != 64 || st.TotalGroups != 4 || len(st.Groups) != 4 {
		t.Fatalf("node status %v", st)
	}
	go io.Copy(io.Discard, pr)
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit code %d, stderr %s", c, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("devcluster did not stop within 10s of cancellation")
	}
}

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		cmd  func(context.Context, []string, io.Writer, io.Writer) int
		args []string
		want string
	}{
		{Devcluster, []string{"--nodes", "0"}, "--nodes must be 1..64"},
		{Devcluster, []string{"--groups", "9", "--shards", "4"}, "--groups"},
		{Devcluster, []string{"--bogus"}, "flag provided but not defined"},
		{Devcluster, []string{"extra"}, "unexpected argument"},
		{Serve, []string{}, "--id is required"},
		{Serve, []string{"--id", "n1", "--addr", "a:1", "--raft-addr", "a:2", "--data-dir", "x", "--peers", "n2=b:1/b:2"}, "not in the peer list"},
		{Serve, []string{"--id", "n1", "--addr", "a:1", "--raft-addr", "a:2", "--data-dir", "x", "--peers", "n1=a:1"}, "id=client_addr/raft_addr"},
		{Serve, []string{"--id", "n1", "--addr", "127.0.0.1:1", "--raft-addr", "127.0.0.1:2", "--data-dir", "x", "--tls-cert", "c.pem"}, "both --tls-cert and --tls-key"},
		{Serve, []string{"--id", "n1", "--addr", "127.0.0.1:1", "--raft-addr", "127.0.0.1:2", "--data-dir", "x", "--tls-cert", "/none.pem", "--tls-key", "/none-key.pem"}, "/none.pem"},
		{Devcluster, []string{"--tls-client-ca", "ca.pem"}, "both --tls-cert and --tls-key"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := c.cmd(context.Background(), c.args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errb.String(), c.want)
		}
	}
}
