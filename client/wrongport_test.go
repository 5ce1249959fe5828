package client_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// Seeds pointing at the wrong port of a node: its replication port (a real
// node's, which closes connections it does not understand) and an HTTP
// port (/metrics, /health). Connect said "the server closed the connection
// during the handshake: it may require TLS" for the first and about the
// same for the second, sending people to TLS settings.
func TestWrongPortOfANodeIsNamed(t *testing.T) {
	cl, _ := startCluster(t)
	raftAddr := cl.Layout().Nodes[0].RaftAddr
	httpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(httpLn) }()
	t.Cleanup(func() { _ = srv.Close() })

	for _, c := range []struct{ addr, want string }{
		{raftAddr, "or not be a client port (a node's replication port, serve --raft-addr, closes it so)"},
		{httpLn.Addr().String(), "is this a node's HTTP port (serve --http-addr)? Use its client address (serve --addr)"},
	} {
		c2, err := client.New(client.Config{Nodes: []string{c.addr}, TotalShards: 1024, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		err = c2.Connect(tctx(t))
		_ = c2.Close()
		var ce *client.ConnectionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Connect to %s = %v; want a *ConnectionError saying %q", c.addr, err, c.want)
		}
	}
}
