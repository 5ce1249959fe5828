package client

import (
	"errors"
	"strings"
)

// ErrTLS: the TLS handshake with the cluster failed (untrusted server
// certificate, missing or refused client certificate, or TLS on one side
// only). Connect's *ConnectionError matches it; its message says which.
var ErrTLS = errors.New("norikv: TLS handshake failed")

// Encrypted reports whether the client's connections use TLS (Config.TLS
// set). The console shows it in its header.
func (c *Client) Encrypted() bool { return c.cfg.TLS != nil }

// noClientCert reports whether TLS is on without a client certificate.
func (c *Client) noClientCert() bool {
	return c.cfg.TLS != nil && len(c.cfg.TLS.Certificates) == 0 && c.cfg.TLS.GetClientCertificate == nil
}

// explainConnErr turns gRPC's connection error for one node into a message
// that says what went wrong and what to do, and reports whether it was a TLS
// failure. gRPC reports every such failure as a connection error whose text
// carries the TLS alert or x509 reason.
func (c *Client) explainConnErr(err error) (string, bool) {
	msg := errString(err)
	lower := strings.ToLower(msg)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(lower, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("certificate signed by unknown authority", "failed to verify certificate", "certificate is not trusted"):
		return "TLS: the server's certificate is not signed by a CA in Config.TLS.RootCAs (wrong CA file?): " + msg, true
	case has("certificate is valid for", "doesn't contain any ip sans", "not valid for any names"):
		return "TLS: the server's certificate does not name this address (set Config.TLS.ServerName): " + msg, true
	case c.noClientCert() && has("certificate required", "bad certificate", "handshake failure"):
		return "TLS: the server requires a client certificate (mutual TLS): set Config.TLS.Certificates: " + msg, true
	case has("certificate required"):
		// Go's TLS client sends only a certificate issued by a CA the
		// server names as acceptable; with none, it sends nothing.
		return "TLS: the server requires a client certificate signed by a CA it trusts, and none of Config.TLS.Certificates is: " + msg, true
	case has("bad certificate", "unknown certificate authority", "certificate unknown"):
		return "TLS: the server refused the client certificate (not signed by the CA it trusts?): " + msg, true
	case has("first record does not look like a tls handshake", "tls: oversized record"):
		return "TLS: the server does not speak TLS (a plaintext server?): remove Config.TLS: " + msg, true
	case has("looked like an http/1.1 header"):
		return "the server speaks HTTP/1.1, not gRPC: is this a node's HTTP port (serve --http-addr)? " +
			"Use its client address (serve --addr): " + msg, false
	case has("server preface") && has("use of closed network connection"):
		// The client gave up waiting and closed it: the peer accepted the
		// connection and sent nothing (gRPC servers send their preface at
		// once), which a closing server or a TLS mismatch do not do.
		return "the server accepted the connection but sent nothing before the client gave up: a hung or stopped " +
			"(SIGSTOP) process, a machine that stopped answering, or not a NoriKV node: " + msg, false
	case has("connection refused"):
		// Said without gRPC's dial error, which names the address: the
		// seeds that refused are then listed once (joinErrs) instead of
		// the same sentence per seed (a whole cluster down or restarting).
		return "connection refused: nothing listens there (the node is down or restarting, or the address is wrong)", false
	case c.cfg.TLS == nil && has("server preface", "connection reset", "broken pipe", "eof"):
		// Only a hint: a node going down mid-handshake looks the same.
		return "the server closed the connection during the handshake: it may require TLS (set Config.TLS), " +
			"or not be a client port (a node's replication port, serve --raft-addr, closes it so): " + msg, false
	}
	return msg, false
}
