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

// Requests look nodes up without locks (the map is copied on write): a
// lookup never allocates, and lookups racing with dials, Retain and Close
// always see a consistent map (run with -race).
func TestPoolLookupsLockFreeAndConsistent(t *testing.T) {
	p := New([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())})
	n, err := p.Get("127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() {
		if m, _ := p.Get("127.0.0.1:1"); m != n || p.IsDown("127.0.0.1:1") {
			t.Fatal("wrong node")
		}
	}); a != 0 {
		t.Fatalf("a lookup allocates %.1f times", a)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			_, _ = p.Get("127.0.0.1:2")
			p.Retain(map[string]bool{"127.0.0.1:1": true})
		}
	}()
	for i := 0; i < 2000; i++ {
		if m, ok := p.Lookup("127.0.0.1:1"); !ok || m != n {
			t.Fatal("a kept node disappeared during dials and Retain")
		}
		_ = p.IsDown("127.0.0.1:2")
	}
	<-done
	p.Close()
	if _, ok := p.Lookup("127.0.0.1:1"); ok {
		t.Fatal("node still there after Close")
	}
}
