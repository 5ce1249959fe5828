package headless

import (
	"context"
	"testing"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// startOwnCluster starts an embedded 3-node cluster of 64 shards in 4
// groups for one test (which may cut its links, unlike the shared one),
// closed when the test ends.
func startOwnCluster(t *testing.T, ctx context.Context) *cluster.Cluster {
	t.Helper()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 64, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// connectedClient is a client of 64 shards seeded with nodes, connected
// (its first view received), closed when the test ends.
func connectedClient(t *testing.T, ctx context.Context, nodes []string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Nodes: nodes, TotalShards: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}
