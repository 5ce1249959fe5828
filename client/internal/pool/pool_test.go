package pool

import (
	"errors"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func TestPoolOneConnPerAddrRetainClose(t *testing.T) {
	p := New([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())})
	a1, err := p.Get("127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := p.Get("127.0.0.1:1")
	if a1 != a2 {
		t.Fatal("two connections for one address")
	}
	if _, err := p.Get("127.0.0.1:2"); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Active != 2 || s.Dials != 2 {
		t.Fatalf("stats = %+v", s)
	}
	p.Retain(map[string]bool{"127.0.0.1:2": true})
	if s := p.Stats(); s.Active != 1 || s.Dropped != 1 || s.Addrs[0] != "127.0.0.1:2" {
		t.Fatalf("after Retain: %+v", s)
	}
	p.Close()
	if _, err := p.Get("127.0.0.1:2"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if s := p.Stats(); s.Active != 0 {
		t.Fatalf("after Close: %+v", s)
	}
}
