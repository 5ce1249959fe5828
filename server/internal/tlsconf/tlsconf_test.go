package tlsconf

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/cluster/tlstest"
)

func TestLoad(t *testing.T) {
	f := tlstest.New(t)
	if set, err := Load(Files{}); set != nil || err != nil {
		t.Fatalf("no files: %v %v, want plaintext", set, err)
	}
	set, err := Load(Files{CertFile: f.CertFile, KeyFile: f.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	if set.Server.ClientAuth != tls.NoClientCert || len(set.Peer.Certificates) != 1 {
		t.Fatalf("TLS without a client CA: %+v", set.Server)
	}
	set, err = Load(Files{CertFile: f.CertFile, KeyFile: f.KeyFile, ClientCAFile: f.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	if set.Server.ClientAuth != tls.RequireAndVerifyClientCert || set.Server.ClientCAs == nil {
		t.Fatalf("mutual TLS: %+v", set.Server)
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		files Files
		want  string
	}{
		{Files{CertFile: f.CertFile}, "both --tls-cert and --tls-key"},
		{Files{ClientCAFile: f.CAFile}, "both --tls-cert and --tls-key"},
		{Files{CertFile: f.CertFile, KeyFile: f.ClientKeyFile}, "--tls-cert"},
		{Files{CertFile: "/nonexistent.pem", KeyFile: f.KeyFile}, "/nonexistent.pem"},
		{Files{CertFile: f.CertFile, KeyFile: f.KeyFile, ClientCAFile: empty}, "holds no PEM certificate"},
		{Files{CertFile: f.CertFile, KeyFile: f.KeyFile, ClientCAFile: "/nonexistent-ca.pem"}, "--tls-client-ca"},
	} {
		if _, err := Load(bad.files); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Load(%+v) = %v, want an error mentioning %q", bad.files, err, bad.want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7001": true, "localhost:1": true, "[::1]:7001": true, "127.3.2.1:80": true,
		":7001": false, "0.0.0.0:7001": false, "10.0.0.5:7001": false, "[::]:1": false, "example.com:1": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
