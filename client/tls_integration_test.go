package client_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/cluster/tlstest"
)

// tlsConfig builds a client TLS config trusting caFile, with the client
// certificate when certFile is set.
func tlsConfig(t *testing.T, caFile, certFile, keyFile string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", caFile)
	}
	tc := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc
}

// TestTLSAgainstServerTLSMode runs the client against a cluster serving
// mutual TLS: the right CA and a client certificate work (and the client
// says it is encrypted); a wrong CA, a missing client certificate, a client
// certificate from another CA and a plaintext client fail at Connect, each
// with an error that says which.
func TestTLSAgainstServerTLSMode(t *testing.T) {
	files := tlstest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := cluster.Start(ctx, cluster.Options{Nodes: 3, TotalShards: 1024, Groups: 16,
		TLSCert: files.CertFile, TLSKey: files.KeyFile, TLSClientCA: files.CAFile})
	if err != nil {
		t.Fatalf("start TLS cluster: %v", err)
	}
	t.Cleanup(func() { closeCluster(t, cl) })
	if err := cl.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	connect := func(t *testing.T, tc *tls.Config, watch bool) (*client.Client, error) {
		c, err := client.New(client.Config{Nodes: cl.Addrs(), TotalShards: 1024, TLS: tc, Timeout: 2 * time.Second, DisableWatch: !watch})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		cctx, ccancel := context.WithTimeout(ctx, 20*time.Second)
		defer ccancel()
		return c, c.Connect(cctx)
	}

	t.Run("good CA and client certificate", func(t *testing.T) {
		c, err := connect(t, tlsConfig(t, files.CAFile, files.ClientCertFile, files.ClientKeyFile), true)
		if err != nil {
			t.Fatalf("Connect: %v", err)
		}
		if !c.Encrypted() || !c.Stats().TLS {
			t.Fatalf("Encrypted() = %v, Stats().TLS = %v, want true", c.Encrypted(), c.Stats().TLS)
		}
		if _, err := c.Put(ctx, []byte("tls-key"), []byte("v"), nil); err != nil {
			t.Fatalf("Put over mTLS: %v", err)
		}
		if g, err := c.Get(ctx, []byte("tls-key"), nil); err != nil || string(g.Value) != "v" {
			t.Fatalf("Get over mTLS: %v, %v", g, err)
		}
	})
	failures := []struct {
		name string
		tc   *tls.Config
		want string
	}{
		{"wrong CA", tlsConfig(t, files.OtherCAFile, files.ClientCertFile, files.ClientKeyFile), "not signed by a CA in Config.TLS.RootCAs"},
		{"missing client certificate", tlsConfig(t, files.CAFile, "", ""), "requires a client certificate"},
		{"client certificate from another CA", tlsConfig(t, files.CAFile, files.OtherClientCertFile, files.OtherClientKeyFile), "client certificate signed by a CA it trusts"},
	}
	for _, f := range failures {
		for _, watch := range []bool{true, false} {
			t.Run(f.name, func(t *testing.T) {
				start := time.Now()
				c, err := connect(t, f.tc, watch)
				t.Logf("watch=%v: %v (after %v)", watch, err, time.Since(start).Round(time.Millisecond))
				var ce *client.ConnectionError
				if !errors.As(err, &ce) || !errors.Is(err, client.ErrTLS) {
					t.Fatalf("err = %v, want a *ConnectionError matching ErrTLS", err)
				}
				if !strings.Contains(err.Error(), f.want) {
					t.Fatalf("err = %v, want it to say %q", err, f.want)
				}
				if !c.Encrypted() {
					t.Fatal("Encrypted() = false with Config.TLS set")
				}
			})
		}
	}
	t.Run("plaintext client", func(t *testing.T) {
		c, err := connect(t, nil, true)
		t.Logf("%v", err)
		if err == nil {
			t.Fatal("a plaintext client connected to a TLS cluster")
		}
		if !strings.Contains(err.Error(), "TLS") {
			t.Fatalf("err = %v, want it to mention TLS", err)
		}
		if c.Encrypted() || c.Stats().TLS {
			t.Fatal("a plaintext client says it is encrypted")
		}
	})
}
