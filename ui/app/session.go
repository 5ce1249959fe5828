package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/server/cluster"
	"github.com/norikv/norikv-console/server/datagen"
	"github.com/norikv/norikv-console/ui/config"
	"github.com/norikv/norikv-console/ui/feed"
)

// embeddedNodes and embeddedGroups shape the embedded cluster.
const (
	embeddedNodes  = 3
	embeddedGroups = 16
)

// Session is what the console runs against: a client, its topology feed,
// and the embedded cluster when the console started one.
type Session struct {
	Client  *client.Client
	Feed    *feed.Feed
	Cluster *cluster.Cluster // nil for an external cluster
	// Notice tells the user what was set up (sample data, skipped parts).
	Notice string
}

// Start creates the client for s, starting and seeding the embedded cluster
// when s names no nodes. It does not wait for an external cluster: the
// console connects (and reconnects) on its own.
func Start(ctx context.Context, s Settings, log io.Writer) (*Session, error) {
	sess := &Session{}
	nodes := s.Nodes
	if s.Embedded() {
		fmt.Fprintf(log, "starting an embedded %d-node cluster (%d shards)…\n", embeddedNodes, s.TotalShards)
		cl, err := cluster.Start(ctx, cluster.Options{Nodes: embeddedNodes, TotalShards: s.TotalShards, Groups: min(embeddedGroups, s.TotalShards)})
		if err != nil {
			return nil, fmt.Errorf("start the embedded cluster: %w", err)
		}
		sess.Cluster = cl
		nodes = cl.Addrs()
	}
	cfg := client.Config{Nodes: nodes, TotalShards: s.TotalShards, Timeout: s.Timeout}
	if s.TLS != nil {
		tc, err := buildTLS(s.TLS)
		if err != nil {
			_ = sess.Close()
			return nil, err
		}
		cfg.TLS = tc
	}
	c, err := client.New(cfg)
	if err != nil {
		_ = sess.Close()
		return nil, fmt.Errorf("create the client: %w", err)
	}
	sess.Client = c
	sess.Feed = feed.Start(c)
	if sess.Cluster != nil {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := c.Connect(cctx); err != nil {
			_ = sess.Close()
			return nil, fmt.Errorf("connect to the embedded cluster: %w", err)
		}
		sess.Notice = Seed(cctx, c)
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

// Seed writes a little sample data: a few keys, some with a TTL, and a small
// vector index when the server supports vectors. It returns a notice saying
// what it did.
func Seed(ctx context.Context, c *client.Client) string {
	type kv struct {
		key, value string
		ttl        time.Duration
	}
	sample := []kv{
		{"user:1", `{"name":"Ada Lovelace","role":"admin"}`, 0},
		{"user:2", `{"name":"Alan Turing","role":"dev"}`, 0},
		{"user:3", `{"name":"Grace Hopper","role":"dev"}`, 0},
		{"config:feature-flags", `{"dark_mode":true,"beta_search":false}`, 0},
		{"counter:visits", "42", 0},
		{"session:7f3a9c", `{"user":"user:1"}`, 30 * time.Minute},
		{"cache:homepage", "<html>…</html>", 5 * time.Minute},
		{"lock:nightly-report", "worker-2", 90 * time.Second},
	}
	var problems []string
	for _, s := range sample {
		if _, err := c.Put(ctx, []byte(s.key), []byte(s.value), &client.PutOptions{TTL: s.ttl}); err != nil {
			problems = append(problems, fmt.Sprintf("put %s: %v", s.key, err))
		}
	}
	note := fmt.Sprintf("embedded cluster ready: %d sample keys (3 with a TTL)", len(sample)-len(problems))
	if v := seedVectors(ctx, c); v != "" {
		note += "; " + v
	}
	if len(problems) > 0 {
		note += "; " + problems[0]
	}
	return note
}

func seedVectors(ctx context.Context, c *client.Client) string {
	const ns = "demo-embeddings"
	_, err := c.VectorCreateIndex(ctx, ns, 4, client.DistanceCosine, client.IndexHNSW, nil)
	if errors.Is(err, client.ErrUnsupported) {
		return "vectors skipped (the server does not support them yet)"
	}
	if err != nil {
		return "vector index not created: " + err.Error()
	}
	docs := map[string][]float32{
		"doc:cats": {0.9, 0.1, 0.0, 0.2}, "doc:dogs": {0.8, 0.2, 0.1, 0.1},
		"doc:stocks": {0.1, 0.9, 0.3, 0.0}, "doc:bonds": {0.0, 0.8, 0.4, 0.1},
		"doc:rust": {0.1, 0.1, 0.9, 0.6}, "doc:golang": {0.2, 0.0, 0.8, 0.7},
	}
	for id, v := range docs {
		if _, err := c.VectorInsert(ctx, ns, id, v, nil); err != nil {
			return "vector insert failed: " + err.Error()
		}
	}
	n, err := seedClustered(ctx, c)
	if err != nil {
		return fmt.Sprintf("vector index %s with %d vectors; %v", ns, len(docs), err)
	}
	return fmt.Sprintf("vector indexes %s (%d vectors) and %s (%d)", ns, len(docs), clusteredNS, n)
}

// Sample of realistic shape for the vectors pane: clustered points near a
// low-dimensional subspace, like embeddings, so HNSW recall and latency
// mean something.
const (
	clusteredNS   = "demo-clustered"
	clusteredN    = 2000
	clusteredDims = 32
)

// seedClustered loads clusteredN vectors, 16 inserts in flight.
func seedClustered(ctx context.Context, c *client.Client) (int, error) {
	if _, err := c.VectorCreateIndex(ctx, clusteredNS, clusteredDims, client.DistanceEuclidean, client.IndexHNSW, nil); err != nil {
		return 0, fmt.Errorf("vector index %s not created: %w", clusteredNS, err)
	}
	set := datagen.Generate(datagen.Spec{N: clusteredN, Dims: clusteredDims, Clusters: 20, Seed: 7})
	items := make([]client.VectorItem, clusteredN)
	for i := range items {
		items[i] = client.VectorItem{ID: fmt.Sprintf("pt:%04d", i), Vector: set.Row(set.Base, i)}
	}
	n, err := c.VectorInsertMany(ctx, clusteredNS, items, 0)
	if err != nil {
		return n, fmt.Errorf("insert into %s: %w", clusteredNS, err)
	}
	return n, nil
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
