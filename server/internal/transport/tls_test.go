package transport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/cluster/tlstest"
	"github.com/norikv/norikv-console/server/internal/tlsconf"
)

// TestControlCallsOverMutualTLS: two nodes with certificates from one CA
// talk; a node whose certificate the other's client CA did not sign is
// refused during the handshake, with an error that says so.
func TestControlCallsOverMutualTLS(t *testing.T) {
	f := tlstest.New(t)
	set, err := tlsconf.Load(tlsconf.Files{CertFile: f.CertFile, KeyFile: f.KeyFile, ClientCAFile: f.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	la, lb, lc := listen(t), listen(t), listen(t)
	book := map[string]string{la.Addr().String(): "a", lb.Addr().String(): "b", lc.Addr().String(): "c"}
	resolve := func(addr string) (string, bool) { id, ok := book[addr]; return id, ok }
	a := NewWithTLS("a", la, resolve, nil, set.Server, set.Peer)
	b := NewWithTLS("b", lb, resolve, nil, set.Server, set.Peer)
	// c trusts the CA but presents a client certificate from another one.
	stranger := set.Peer.Clone()
	other, err := tlsconf.Load(tlsconf.Files{CertFile: f.OtherClientCertFile, KeyFile: f.OtherClientKeyFile})
	if err != nil {
		t.Fatal(err)
	}
	stranger.Certificates = other.Peer.Certificates
	c := NewWithTLS("c", lc, resolve, nil, set.Server, stranger)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close(); _ = c.Close() })
	b.HandleControl(func(from string, req []byte) []byte { return append([]byte(from+":"), req...) })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := a.Call(ctx, b.Addr().String(), []byte("hello"))
	if err != nil || string(rep) != "a:hello" {
		t.Fatalf("call over mutual TLS: %q %v", rep, err)
	}
	if _, err := c.Call(ctx, b.Addr().String(), []byte("hello")); err == nil {
		t.Fatal("a node with a certificate from another CA was served")
	} else if !strings.Contains(err.Error(), "control") {
		t.Fatalf("refusal does not say what failed: %v", err)
	}
}
