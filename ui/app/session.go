package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/ui"
	"github.com/norikv/norikv-console/ui/config"
	"github.com/norikv/norikv-console/ui/feed"
	"github.com/norikv/norikv-console/ui/journal"
)

// embeddedNodes is the embedded cluster's size; its groups are the
// cluster's default (at most the shards). It keeps no data between runs.
const embeddedNodes = 3

// Session is what the console runs against: a client, its topology feed,
// and the embedded cluster when the console started one.
type Session struct {
	Client  *client.Client
	Feed    *feed.Feed
	Cluster *cluster.Cluster // nil for an external cluster
	// Notice tells the user what was set up; NoticeIsError shows it as an
	// error.
	Notice        string
	NoticeIsError bool
	// Seed loads the sample data (nil on an external cluster); the console
	// runs it in the background at start when SeedAtStart, and on :seed.
	Seed        ui.SeedFunc
	SeedAtStart bool
	// Journal receives the console log and the audit records; nil discards.
	Journal *journal.Journal
	// Clipboard puts text on the user's clipboard through the terminal
	// (OSC 52); nil without a terminal.
	Clipboard func(text string) error
}

// Start creates the client for s, starting and seeding the embedded cluster
// when s names no nodes. It does not wait for an external cluster: the
// console connects (and reconnects) on its own.
func Start(ctx context.Context, s Settings, log io.Writer) (*Session, error) {
	sess := &Session{}
	nodes := s.Nodes
	if s.Embedded() {
		fmt.Fprintf(log, "starting an embedded %d-node cluster (%d shards)…\n", embeddedNodes, s.TotalShards)
		cl, err := cluster.Start(ctx, cluster.Options{Nodes: embeddedNodes, TotalShards: s.TotalShards})
		if err != nil {
			return nil, fmt.Errorf("start the embedded cluster: %w", err)
		}
		sess.Cluster = cl
		nodes = cl.Addrs()
	}
	s.Nodes = nodes
	if sess.Cluster == nil {
		s = sess.checkShards(ctx, s)
	}
	cfg, err := ClientConfig(s)
	if err != nil {
		_ = sess.Close()
		return nil, err
	}
	c, err := client.New(cfg)
	if err != nil {
		_ = sess.Close()
		return nil, fmt.Errorf("create the client: %w", err)
	}
	sess.Client = c
	sess.Feed = feed.Start(c)
	if sess.Cluster != nil {
		// Connecting has its own deadline; the sample data is loaded by the
		// console afterwards with its own budget (ui.SeedBudget), showing
		// progress.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := c.Connect(cctx); err != nil {
			_ = sess.Close()
			return nil, fmt.Errorf("connect to the embedded cluster: %w", err)
		}
		sess.Seed = func(ctx context.Context, progress func(ui.SeedProgress)) ui.SeedReport {
			return SeedData(ctx, c, progress)
		}
		sess.SeedAtStart = true
	}
	return sess, nil
}

// closeTimeout bounds stopping the embedded cluster at exit, so a node that
// hangs while shutting down cannot keep the console from exiting.
const closeTimeout = 15 * time.Second

// Close releases the feed, the client and the embedded cluster (whose
// temporary data directory is removed).
func (s *Session) Close() error {
	if s.Feed != nil {
		s.Feed.Close()
	}
	if s.Client != nil {
		_ = s.Client.Close()
	}
	if s.Cluster == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.Cluster.Close() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("stop the embedded cluster: %w", err)
		}
		return nil
	case <-time.After(closeTimeout):
		return fmt.Errorf("the embedded cluster did not stop within %s; its data dir may remain", closeTimeout)
	}
}

// buildTLS turns a profile's TLS section into a tls.Config.
func buildTLS(t *config.TLS) (*tls.Config, error) {
	tc := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in by the user
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca_file %s: no PEM certificate found", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls cert_file/key_file: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
