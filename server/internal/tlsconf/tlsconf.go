// Package tlsconf turns a node's TLS flags (--tls-cert, --tls-key,
// --tls-client-ca) into the TLS configurations it needs: one for the
// servers (client gRPC port and replication port) and one for the calls a
// node makes to other nodes (replication dials and forwarded calls).
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
)

// Files are the PEM files a node's TLS is configured from.
type Files struct {
	// CertFile and KeyFile are the node's certificate (optionally followed
	// by its CA chain) and private key. Both empty: plaintext.
	CertFile, KeyFile string
	// ClientCAFile, when set, makes every port require client certificates
	// signed by one of its CAs (mutual TLS).
	ClientCAFile string
}

// Enabled reports whether any TLS file is set.
func (f Files) Enabled() bool {
	return f.CertFile != "" || f.KeyFile != "" || f.ClientCAFile != ""
}

// Set is a node's loaded TLS configuration.
type Set struct {
	// Server serves the client gRPC and replication ports; with a client
	// CA it requires and verifies client certificates.
	Server *tls.Config
	// Peer dials other nodes. It presents the node's own certificate (for
	// mutual TLS) and trusts the system roots, the client CAs, the CA
	// certificates that follow the leaf in the certificate file, and the
	// leaf itself (nodes sharing one self-signed certificate).
	Peer *tls.Config
}

// Load reads the files; zero Files give a nil Set (plaintext). Errors name
// the flag and file that are wrong.
func Load(f Files) (*Set, error) {
	if !f.Enabled() {
		return nil, nil
	}
	if f.CertFile == "" || f.KeyFile == "" {
		return nil, errors.New("TLS needs both --tls-cert and --tls-key (--tls-client-ca alone cannot serve TLS)")
	}
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("load --tls-cert %s and --tls-key %s: %w", f.CertFile, f.KeyFile, err)
	}
	peerRoots, err := x509.SystemCertPool()
	if err != nil {
		peerRoots = x509.NewCertPool()
	}
	for _, der := range cert.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("parse --tls-cert %s: %w", f.CertFile, err)
		}
		peerRoots.AddCert(c)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if f.ClientCAFile != "" {
		pemBytes, err := os.ReadFile(f.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("read --tls-client-ca: %w", err)
		}
		clientCAs := x509.NewCertPool()
		if err := appendPEM(clientCAs, pemBytes); err != nil {
			return nil, fmt.Errorf("--tls-client-ca %s: %w", f.ClientCAFile, err)
		}
		_ = appendPEM(peerRoots, pemBytes)
		server.ClientCAs = clientCAs
		server.ClientAuth = tls.RequireAndVerifyClientCert
	}
	peer := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: peerRoots, MinVersion: tls.VersionTLS12}
	return &Set{Server: server, Peer: peer}, nil
}

// appendPEM adds every certificate of a PEM bundle to pool.
func appendPEM(pool *x509.CertPool, b []byte) error {
	n := 0
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return fmt.Errorf("bad certificate: %w", err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return errors.New("holds no PEM certificate")
	}
	return nil
}

// ServerConfig is s.Server, nil for a nil Set (plaintext).
func (s *Set) ServerConfig() *tls.Config {
	if s == nil {
		return nil
	}
	return s.Server
}

// PeerConfig is s.Peer, nil for a nil Set (plaintext).
func (s *Set) PeerConfig() *tls.Config {
	if s == nil {
		return nil
	}
	return s.Peer
}

// IsLoopback reports whether a listen address (host:port) only accepts
// connections from this machine; an empty host (all interfaces) is not.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
