package tlstest

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
)

func TestCertificatesVerify(t *testing.T) {
	f := New(t)
	pool := func(file string) *x509.CertPool {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		p := x509.NewCertPool()
		if !p.AppendCertsFromPEM(b) {
			t.Fatalf("%s holds no certificate", file)
		}
		return p
	}
	leaf := func(certFile, keyFile string) *x509.Certificate {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	server := leaf(f.CertFile, f.KeyFile)
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := server.Verify(x509.VerifyOptions{Roots: pool(f.CAFile), DNSName: host}); err != nil {
			t.Fatalf("server certificate for %s: %v", host, err)
		}
	}
	if _, err := server.Verify(x509.VerifyOptions{Roots: pool(f.OtherCAFile), DNSName: "localhost"}); err == nil {
		t.Fatal("server certificate verified against the unrelated CA")
	}
	client := x509.VerifyOptions{Roots: pool(f.CAFile), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := leaf(f.ClientCertFile, f.ClientKeyFile).Verify(client); err != nil {
		t.Fatalf("client certificate: %v", err)
	}
	if _, err := leaf(f.OtherClientCertFile, f.OtherClientKeyFile).Verify(client); err == nil {
		t.Fatal("the unrelated client certificate verified against the CA")
	}
}
