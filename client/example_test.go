package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
)

// Example starts an embedded 3-node cluster and uses the client on it: the
// same code works against any NoriKV cluster given its addresses.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// A local cluster for the example; in production, list your nodes instead.
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 1024})
	if err != nil {
		log.Fatal(err)
	}
	defer closeQuietly(cl)

	c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 1024})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Connect(ctx); err != nil {
		log.Fatal(err)
	}

	v1, err := c.Put(ctx, []byte("user:42"), []byte("Ada"), &client.PutOptions{TTL: time.Hour})
	if err != nil {
		log.Fatal(err)
	}
	got, err := c.Get(ctx, []byte("user:42"), &client.GetOptions{Consistency: client.ConsistencyLinearizable})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("value=%s same version=%v shard=%d\n", got.Value, got.Version == v1, c.Route([]byte("user:42")).Shard)

	// Compare-and-swap: only succeeds against the version we read.
	if _, err := c.Put(ctx, []byte("user:42"), []byte("Ada L."), &client.PutOptions{IfMatchVersion: &v1}); err != nil {
		log.Fatal(err)
	}
	_, err = c.Put(ctx, []byte("user:42"), []byte("stale"), &client.PutOptions{IfMatchVersion: &v1})
	var mismatch *client.VersionMismatchError
	fmt.Println("stale CAS rejected:", errors.As(err, &mismatch))

	page, err := c.Scan(ctx, &client.ScanOptions{Prefix: []byte("user:"), Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("keys:", len(page.Entries), "done:", page.Done)

	if _, err := c.Delete(ctx, []byte("user:42"), nil); err != nil {
		log.Fatal(err)
	}
	_, err = c.Get(ctx, []byte("user:42"), nil)
	fmt.Println("deleted:", errors.Is(err, client.ErrKeyNotFound))
	// Output:
	// value=Ada same version=true shard=717
	// stale CAS rejected: true
	// keys: 1 done: true
	// deleted: true
}

// closeQuietly closes the example cluster without holding the example up
// if the server's shutdown is slow.
func closeQuietly(cl *cluster.Cluster) {
	done := make(chan struct{})
	go func() { _ = cl.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
	}
}
