//go:build linux

package connlimit

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// gRPC's server sets TCP_USER_TIMEOUT only on a *net.TCPConn, which the
// wrapped connections are not: without this, data sent to a client that
// vanished was retransmitted for ~15 minutes instead of 20 s.
func TestAcceptedConnectionsGetTheUserTimeout(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Wrap(raw, 0, nil)
	defer l.Close()
	c, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ac, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	rc, err := ac.(*conn).Conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var ms int
	var gerr error
	if err := rc.Control(func(fd uintptr) { ms, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT) }); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	if want := int(UserTimeout.Milliseconds()); ms != want {
		t.Fatalf("TCP_USER_TIMEOUT %d ms, want %d", ms, want)
	}
}
