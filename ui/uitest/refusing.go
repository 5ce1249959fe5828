package uitest

import (
	"net"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// RefusingClient returns a real client whose only node is an address that
// refuses connections (a port listened on, then closed), and that address:
// its calls fail as they do against a node that is down, with the errors
// (and the address in them) a pane shows then.
func RefusingClient(t *testing.T) (*client.Client, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: 64, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, addr
}
