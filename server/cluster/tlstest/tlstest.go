// Package tlstest makes throwaway certificates for tests of TLS and mutual
// TLS: a CA, a server certificate and a client certificate signed by it,
// and an unrelated CA, written as PEM files into the test's temp dir.
// Everything is generated at run time, so nothing committed ever expires.
package tlstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Files are the PEM files of one generated set.
type Files struct {
	// CAFile is the CA that signed CertFile and ClientCertFile: clients
	// trust it, and servers pass it as --tls-client-ca for mutual TLS.
	CAFile string
	// CertFile and KeyFile are the server's certificate (followed by the
	// CA's, a full chain) and key, valid for localhost, 127.0.0.1 and ::1,
	// for both server and client authentication (nodes dial each other's
	// replication ports with it).
	CertFile, KeyFile string
	// ClientCertFile and ClientKeyFile are a client certificate signed by CAFile.
	ClientCertFile, ClientKeyFile string
	// OtherCAFile is a CA that signed nothing here: trusting only it must fail.
	OtherCAFile string
	// OtherClientCertFile and OtherClientKeyFile are a client certificate
	// signed by OtherCAFile, which a server requiring CAFile must refuse.
	OtherClientCertFile, OtherClientKeyFile string
}

// New generates a fresh set of certificates in t.TempDir().
func New(t testing.TB) Files {
	t.Helper()
	dir := t.TempDir()
	f, err := Generate(dir)
	if err != nil {
		t.Fatalf("tlstest: %v", err)
	}
	return f
}

// Generate writes a fresh set of certificates into dir (for callers without a testing.TB).
func Generate(dir string) (Files, error) {
	ca, caKey, err := newCA("norikv test CA")
	if err != nil {
		return Files{}, err
	}
	other, otherKey, err := newCA("norikv unrelated CA")
	if err != nil {
		return Files{}, err
	}
	f := Files{
		CAFile: filepath.Join(dir, "ca.pem"), OtherCAFile: filepath.Join(dir, "other-ca.pem"),
		CertFile: filepath.Join(dir, "server.pem"), KeyFile: filepath.Join(dir, "server-key.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"), ClientKeyFile: filepath.Join(dir, "client-key.pem"),
		OtherClientCertFile: filepath.Join(dir, "other-client.pem"), OtherClientKeyFile: filepath.Join(dir, "other-client-key.pem"),
	}
	if err := writePEM(f.CAFile, "CERTIFICATE", ca.Raw); err != nil {
		return Files{}, err
	}
	if err := writePEM(f.OtherCAFile, "CERTIFICATE", other.Raw); err != nil {
		return Files{}, err
	}
	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "norikv test server"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if err := issue(server, ca, caKey, f.CertFile, f.KeyFile, true); err != nil {
		return Files{}, err
	}
	client := &x509.Certificate{Subject: pkix.Name{CommonName: "norikv test client"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if err := issue(client, ca, caKey, f.ClientCertFile, f.ClientKeyFile, false); err != nil {
		return Files{}, err
	}
	stranger := &x509.Certificate{Subject: pkix.Name{CommonName: "norikv stranger"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if err := issue(stranger, other, otherKey, f.OtherClientCertFile, f.OtherClientKeyFile, false); err != nil {
		return Files{}, err
	}
	return f, nil
}

// ClientConfig is a TLS client configuration trusting f.CAFile; with
// withCert it also presents the client certificate (for mutual TLS).
func (f Files) ClientConfig(t testing.TB, withCert bool) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(f.CAFile)
	if err != nil {
		t.Fatalf("tlstest: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if withCert {
		cert, err := tls.LoadX509KeyPair(f.ClientCertFile, f.ClientKeyFile)
		if err != nil {
			t.Fatalf("tlstest: %v", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
}

func newCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

// issue signs tmpl with the CA and writes the certificate (followed by the
// CA's when chain is set) and its key.
func issue(tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey, certFile, keyFile string, chain bool) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl.SerialNumber = serial()
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	}
	if err := os.WriteFile(certFile, out, 0o600); err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(keyFile, "EC PRIVATE KEY", kder)
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
