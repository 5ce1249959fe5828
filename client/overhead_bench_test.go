package client

import (
	"context"
	"testing"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// BenchmarkOverhead isolates the client's own cost: Get against a fake node
// that answers at once, through the client and through the raw stub.
func BenchmarkOverhead(b *testing.B) {
	f := startFake(b, fakeServices{})
	f.set(func(f *fakeNode) {
		f.onGet = func(context.Context, int, *norikvpb.GetRequest) (*norikvpb.GetResponse, error) {
			return &norikvpb.GetResponse{Value: []byte("v"), Version: &norikvpb.Version{Term: 1, Index: 1}}, nil
		}
		f.gets = nil
	})
	c := newTestClient(b, false, f.addr)
	// The raw stub dials as the client does and sends what it sends.
	cc, err := grpc.NewClient(f.addr, c.pool.DialOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	raw := norikvpb.NewKvClient(cc)
	ctx := context.Background()
	key := []byte("k")
	reset := func() { f.set(func(f *fakeNode) { f.gets = f.gets[:0] }) }
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := raw.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "lease"}); err != nil {
				b.Fatal(err)
			}
		}
		reset()
	})
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, key, nil); err != nil {
				b.Fatal(err)
			}
		}
		reset()
	})
	b.Run("raw-par", func(b *testing.B) {
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := raw.Get(ctx, &norikvpb.GetRequest{Key: key, Consistency: "lease"}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reset()
	})
	b.Run("client-par", func(b *testing.B) {
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Get(ctx, key, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reset()
	})
}
