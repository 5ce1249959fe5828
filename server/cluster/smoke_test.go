package cluster

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

func TestStartPutGet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("started in %v", time.Since(start))
	defer c.Close()
	shard := uint32(309) // "hello"
	leader := c.LeaderOf(shard)
	conn, err := grpc.NewClient(c.Addr(leader), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	kv := norikvpb.NewKvClient(conn)
	put, err := kv.Put(ctx, &norikvpb.PutRequest{Key: []byte("hello"), Value: []byte("world")})
	if err != nil {
		t.Fatal(err)
	}
	get, err := kv.Get(ctx, &norikvpb.GetRequest{Key: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if string(get.Value) != "world" || get.Version.Index != put.Version.Index || get.Version.Term != put.Version.Term {
		t.Fatalf("get %v, put %v", get, put)
	}
	t.Logf("put %v get %v meta %v", put.Version, get.Version, get.Meta)
}
