package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func listen(t *testing.T) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func pairOfMuxes(t *testing.T, f *Faults) (*Mux, *Mux) {
	la, lb := listen(t), listen(t)
	book := map[string]string{la.Addr().String(): "a", lb.Addr().String(): "b"}
	resolve := func(addr string) (string, bool) { id, ok := book[addr]; return id, ok }
	a, b := New("a", la, resolve, f), New("b", lb, resolve, f)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	return a, b
}

func TestChannelsAndFaults(t *testing.T) {
	f := NewFaults()
	a, b := pairOfMuxes(t, f)
	chA := a.Channel(7)
	chB := b.Channel(7)
	other := b.Channel(8)
	go func() {
		for {
			c, err := chB.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c) }()
		}
	}()
	conn, err := chA.Dial(raft.ServerAddress(b.Addr().String()), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo %q %v", buf, err)
	}
	// Channel 8 got nothing: connections reach only their own channel.
	select {
	case c := <-other.(*channel).incoming:
		t.Fatalf("channel 8 received %v", c.RemoteAddr())
	default:
	}

	f.Cut("b", "a")
	if _, err := conn.Read(buf); err == nil {
		t.Fatal("read on a cut link succeeded")
	}
	if _, err := chA.Dial(raft.ServerAddress(b.Addr().String()), time.Second); !errors.Is(err, ErrLinkCut) {
		t.Fatalf("dial on a cut link: %v", err)
	}
	f.Heal("a", "b")
	conn, err = chA.Dial(raft.ServerAddress(b.Addr().String()), time.Second)
	if err != nil {
		t.Fatalf("dial after heal: %v", err)
	}
	_ = conn.Close()
}

func TestControlCalls(t *testing.T) {
	a, b := pairOfMuxes(t, NewFaults())
	b.HandleControl(func(from string, req []byte) []byte { return append([]byte(from+":"), req...) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ { // the pooled connection is reused
		resp, err := a.Call(ctx, b.Addr().String(), []byte("hello"))
		if err != nil || string(resp) != "a:hello" {
			t.Fatalf("call %d: %q %v", i, resp, err)
		}
	}
	_ = b.Close()
	if _, err := a.Call(ctx, b.Addr().String(), []byte("x")); err == nil {
		t.Fatal("call to a closed node succeeded")
	}
}

func TestGarbageHeaderIsDropped(t *testing.T) {
	a, _ := pairOfMuxes(t, nil)
	c, err := net.Dial("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("garbage connection was not closed")
	}
}

// TestControlCallsRunConcurrently: a slow control call to a peer does not
// hold up the next one (heartbeats must not wait behind forwarded writes).
func TestControlCallsRunConcurrently(t *testing.T) {
	a, b := pairOfMuxes(t, nil)
	release, started := make(chan struct{}), make(chan struct{})
	b.HandleControl(func(from string, req []byte) []byte {
		if string(req) == "slow" {
			close(started)
			<-release
		}
		return req
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	slow := make(chan error, 1)
	go func() {
		_, err := a.Call(ctx, b.Addr().String(), []byte("slow"))
		slow <- err
	}()
	<-started
	for i := 0; i < 3; i++ {
		resp, err := a.Call(ctx, b.Addr().String(), []byte("fast"))
		if err != nil || string(resp) != "fast" {
			t.Fatalf("fast call %d behind a slow one: %q %v", i, resp, err)
		}
	}
	close(release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
}
