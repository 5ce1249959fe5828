package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
)

// connectAgain calls Connect until it succeeds or ctx ends, and returns
// the last error. Connect gives up once every seed failed a round within
// Config.Timeout, and calling it again waits again (its contract); on a
// starved machine (a -race run beside CPU burners at load 30) the healthy
// nodes of a test missed a 1 s Timeout in the first round, which is not
// what those tests check.
func connectAgain(ctx context.Context, c *client.Client) error {
	for {
		err := c.Connect(ctx)
		var ce *client.ConnectionError
		if err == nil || !errors.As(err, &ce) || ctx.Err() != nil {
			return err
		}
	}
}

// connectedClient returns a client of cfg connected within 20 s
// (connectAgain), closed when the test ends.
func connectedClient(t *testing.T, cfg client.Config) *client.Client {
	t.Helper()
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := connectAgain(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}
