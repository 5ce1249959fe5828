package client_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// TestRefusedSeedsReadOnce: every seed refuses connections (a whole cluster
// stopped or restarting). Found in tmux running `norikv-console status`
// with 3 serve processes killed: the error repeated gRPC's dial error for
// each seed ('rpc error: code = Unavailable desc = connection error: desc =
// "transport: Error while dialing: dial tcp 127.0.0.1:27102: connect:
// connection refused"', three times). Now the seeds that refused are named
// once, with what it means.
func TestRefusedSeedsReadOnce(t *testing.T) {
	var seeds []string
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, ln.Addr().String())
		_ = ln.Close() // nothing listens there now: connections are refused
	}
	c, err := client.New(client.Config{Nodes: seeds, TotalShards: 16, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Connect(tctx(t))
	var ce *client.ConnectionError
	if !errors.As(err, &ce) {
		t.Fatalf("Connect to three refusing seeds = %v, want a *ConnectionError", err)
	}
	msg := err.Error()
	const want = "connection refused: nothing listens there (the node is down or restarting, or the address is wrong)"
	if strings.Count(msg, want) != 1 || strings.Contains(msg, "transport: Error while dialing") {
		t.Errorf("Connect = %q; want the refusal said once (%q) for the three seeds", msg, want)
	}
	for _, s := range seeds {
		if !strings.Contains(msg, s) {
			t.Errorf("Connect = %q: %s not named", msg, s)
		}
	}
}
