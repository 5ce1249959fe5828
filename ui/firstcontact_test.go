package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/ui/common"
)

// TestFirstContactSaysConnecting: a console started before its cluster (or
// given a wrong --nodes) was never connected, so it must not say
// "reconnecting": the header says "connecting" and the status line names
// the addresses it tries, the attempts and the last error's reason. Once
// the cluster starts on those addresses it says "connected".
func TestFirstContactSaysConnecting(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real cluster")
	}
	base := freeBasePort(t)
	addrs := []string{fmt.Sprintf("127.0.0.1:%d", base), fmt.Sprintf("127.0.0.1:%d", base+1), fmt.Sprintf("127.0.0.1:%d", base+2)}
	m, d, _ := consoleOn(t, addrs)
	d.until("two failed attempts", 60*time.Second, func() bool { return m.connAttempts >= 2 })
	v := m.View()
	header := strings.SplitN(v, "\n", 2)[0]
	if strings.Contains(header, "reconnecting") || !strings.Contains(header, "connecting") {
		t.Fatalf("a console that never connected, header %q:\n%s", header, v)
	}
	if m.ConnState() != StateConnecting {
		t.Fatalf("state %q, want %q", m.ConnState(), StateConnecting)
	}
	got := m.firstContactText()
	if !strings.HasPrefix(got, "connecting: no answer yet (") || !strings.Contains(got, "attempts; last: connection refused) from "+strings.Join(addrs, ", ")+" — ") {
		t.Fatalf("first contact text %q: want the attempts, the reason and the addresses", got)
	}
	// At 120 columns the reason is on screen (the addresses may be cut).
	if !strings.Contains(v, "attempts; last: connection refused) from "+addrs[0]) {
		t.Fatalf("the status line does not give the reason and where it connects:\n%s", v)
	}

	cl := startCluster(t, base)
	t.Cleanup(func() { _ = cl.Close() })
	d.until("connected once the cluster is up", 60*time.Second, func() bool {
		return m.ConnState() == StateConnected && m.ClusterView() != nil
	})
	v = m.View()
	if header := strings.SplitN(v, "\n", 2)[0]; !strings.Contains(header, "connected") || strings.Contains(header, "connecting") {
		t.Fatalf("after the cluster started, header %q", header)
	}
	if strings.Contains(v, "no answer yet") {
		t.Fatalf("the first-contact message outlived the connection:\n%s", v)
	}
}

// TestConnectionReasons: the status line's short reason of a failed attempt.
func TestConnectionReasons(t *testing.T) {
	for _, c := range []struct{ err, want string }{
		{`norikv: connection to a:1 failed: no node answered: a:1: rpc error: desc = "dial tcp a:1: connect: connection refused"; b:2: rpc error: "connect: connection refused"`, "connection refused"},
		{`a:1: connect: connection refused; b:2: context deadline exceeded`, "connection refused / no answer within the timeout"},
		{`dial tcp: lookup nohost: no such host`, "unknown host"},
		{`something new`, "something new"},
		// A port that answers HTTP, and one that accepts and says nothing
		// (the client's words, seen in tmux against a hostile listener).
		{`127.0.0.1:27151: the server closed the connection during the handshake: it may require TLS (set Config.TLS): rpc error: desc = "error reading server preface: http2: failed reading the frame payload: http2: frame too large, note that the frame header looked like an HTTP/1.1 header"`,
			"not a gRPC server (it answered something else) / closed during the handshake (a TLS port, or not a NoriKV node)"},
	} {
		if got := connReason(fmt.Errorf("%s", c.err)); got != c.want {
			t.Errorf("connReason(%q) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestConnectionErrorLoggedOncePerReason: against a port that accepts and
// never answers, each attempt's text names another local port ("raw-read
// tcp 127.0.0.1:42158->127.0.0.1:27150"): the message log got an entry
// every 2 s (7 in 14 s in tmux). One entry per reason.
func TestConnectionErrorLoggedOncePerReason(t *testing.T) {
	m := newRoot(t, 80, 24)
	for _, port := range []int{42158, 42170, 42188} {
		m.Update(common.ConnectedMsg{Err: fmt.Errorf("norikv: connection to 127.0.0.1:27150 failed: the server closed the connection during the handshake: "+
			"error reading server preface: raw-read tcp 127.0.0.1:%d->127.0.0.1:27150: use of closed network connection", port)})
	}
	n := 0
	for _, e := range m.Messages() {
		if strings.Contains(e.Text, "127.0.0.1:27150") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the same failure logged %d times: %+v", n, m.Messages())
	}
}
