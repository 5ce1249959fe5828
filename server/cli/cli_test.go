package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestDevclusterReadyThenCleanStop(t *testing.T) {
	d := startDevcluster(t, "--nodes", "3", "--shards", "64", "--groups", "4")
	if len(d.addrs) != 3 {
		t.Fatalf("first line %q, want ready ADDR1,ADDR2,ADDR3", d.line)
	}
	st := d.nodeStatus(t, 1)
	if st.NodeId != "n2" || st.TotalShards != 64 || st.TotalGroups != 4 || len(st.Groups) != 4 {
		t.Fatalf("node status %v", st)
	}
	d.stop(t, 10*time.Second)
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
