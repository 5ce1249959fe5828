package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// A seed that accepts connections and never answers (a stopped process, a
// hung machine, something else listening) was reported as "the server
// closed the connection during the handshake: it may require TLS ... or
// not be a client port" (found in tmux against a listener that accepts and
// never answers): the client had closed it, after waiting. Now the message
// says the peer sent nothing, and nothing of TLS.
func TestSilentSeedIsNotCalledATLSProblem(t *testing.T) {
	addr := muteAcceptor(t)
	c, err := client.New(client.Config{Nodes: []string{addr}, TotalShards: 1024, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The console asks again every 2 s while no view came: the first
	// round's error is the probe's own deadline, later ones gRPC's last
	// connection error.
	for i := range 4 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := c.Connect(ctx)
		cancel()
		var ce *client.ConnectionError
		if !errors.As(err, &ce) || errors.Is(err, client.ErrTLS) {
			t.Fatalf("Connect %d = %v, want a *ConnectionError, not ErrTLS", i, err)
		}
		msg := err.Error()
		t.Logf("Connect %d: %s", i, msg)
		if strings.Contains(msg, "closed the connection") || strings.Contains(msg, "TLS") ||
			!strings.Contains(msg, "sent nothing") && !strings.Contains(msg, "no view within Config.Timeout") {
			t.Errorf("Connect %d = %q; want it to say the peer sent nothing, and nothing of TLS", i, msg)
		}
	}
}
