// Package cluster runs a whole NoriKV-compatible cluster in-process, on
// loopback, with fault controls for tests (stop/restart a node, cut/heal
// replication links, move a shard's leader). The console starts one when it
// is given no cluster, and `norikv-console devcluster` runs one headless.
package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/norikv/norikv-console/server/internal/metrics"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/service"
	"github.com/norikv/norikv-console/server/internal/tlsconf"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
)

// Options configures a cluster. Zero values take the defaults.
type Options struct {
	Nodes       int    // default 3
	TotalShards int    // default 1024
	Groups      int    // replication groups, default topology.DefaultGroups(Nodes): one per node (at most TotalShards)
	DataDir     string // "" = a temp dir removed by Close; otherwise kept (data survives a restart)
	BasePort    int    // 0 = free ports; otherwise node i (0-based: n1, n2, ...) serves clients on BasePort+i
	Timing      node.Timing
	LogOutput   io.Writer // Raft errors; nil discards them
	Version     string    // reported by NodeStatus
	// Fsync makes Raft log appends durable against machine crashes (slow on
	// most disks); without it they survive process crashes only.
	Fsync bool
	// HTTPBasePort, when > 0, serves /healthz, /readyz and /metrics of node i on HTTPBasePort+i.
	HTTPBasePort int
	// TLSCert and TLSKey (PEM files) serve TLS on every node's client and
	// replication ports; TLSClientCA also requires client certificates
	// signed by it (mutual TLS). All empty: plaintext. See tls.go.
	TLSCert, TLSKey, TLSClientCA string
}

// Cluster is a running in-process cluster.
type Cluster struct {
	opts    Options
	layout  topology.Layout
	faults  *transport.Faults
	tls     *tlsconf.Set // nil: plaintext
	dataDir string
	tempDir bool
	// keptCounts names the counts the data dir kept instead of the
	// defaults (node.StartCounts), "" none.
	keptCounts string

	mu      sync.Mutex
	members map[string]*member
	closed  bool
}

type member struct {
	node     *node.Node
	srv      *service.Server
	serve    chan struct{} // closed when Serve returns
	httpStop func()
}

// layoutFile records a data dir's shape so a restart with other flags fails clearly.
const layoutFile = "cluster.json"

type savedLayout struct {
	Nodes, TotalShards, Groups int
}

// keepSavedCounts takes the shard and group counts not given (0) from
// the data dir's record when it has one (and the counts given agree with
// it): a data dir created with other defaults keeps its own
// (node.StartCounts). It returns the counts kept that differ from the
// defaults, "" when none.
func (o *Options) keepSavedCounts() (string, error) {
	if o.DataDir == "" {
		return "", nil
	}
	path := filepath.Join(o.DataDir, layoutFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	var got savedLayout
	if err := json.Unmarshal(raw, &got); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	var kept string
	o.TotalShards, o.Groups, kept = node.StartCounts(o.TotalShards, o.Groups, o.nodeCount(), node.Recorded{Shards: got.TotalShards, Groups: got.Groups, OK: true})
	return kept, nil
}

// nodeCount is the number of nodes the options start (3 when not given).
func (o *Options) nodeCount() int {
	if o.Nodes == 0 {
		return 3
	}
	return o.Nodes
}

func (o *Options) defaults() error {
	o.Nodes = o.nodeCount()
	o.TotalShards, o.Groups, _ = node.StartCounts(o.TotalShards, o.Groups, o.Nodes, node.Recorded{})
	if o.Nodes < 1 || o.Nodes > 64 {
		return fmt.Errorf("nodes must be 1..64, got %d", o.Nodes)
	}
	if o.HTTPBasePort < 0 || o.HTTPBasePort+o.Nodes-1 > 65535 {
		return fmt.Errorf("HTTP base port %d leaves no room for %d nodes (ports must be 1..65535)", o.HTTPBasePort, o.Nodes)
	}
	if o.BasePort < 0 || o.BasePort+o.Nodes-1 > 65535 {
		return fmt.Errorf("base port %d leaves no room for %d nodes (ports must be 1..65535)", o.BasePort, o.Nodes)
	}
	if o.Timing == (node.Timing{}) {
		o.Timing = node.DefaultTiming()
	}
	return nil
}

// Start starts every node and returns once every group has a leader and
// leadership is spread over the nodes.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	kept, err := opts.keepSavedCounts()
	if err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	c := &Cluster{opts: opts, faults: transport.NewFaults(), members: map[string]*member{}}
	c.keptCounts = kept
	if c.tls, err = opts.loadTLS(); err != nil {
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	if err := c.prepareDataDir(); err != nil {
		return nil, err
	}
	c.layout = topology.Layout{TotalShards: opts.TotalShards, Groups: opts.Groups}
	var clientLns, raftLns []net.Listener
	closeAll := func() {
		for _, l := range append(clientLns, raftLns...) {
			_ = l.Close()
		}
	}
	for i := 0; i < opts.Nodes; i++ {
		addr := "127.0.0.1:0"
		if opts.BasePort > 0 {
			addr = "127.0.0.1:" + strconv.Itoa(opts.BasePort+i)
		}
		cl, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("start cluster: node n%d client port: %w", i+1, err)
		}
		clientLns = append(clientLns, cl)
		rl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("start cluster: node n%d replication port: %w", i+1, err)
		}
		raftLns = append(raftLns, rl)
		c.layout.Nodes = append(c.layout.Nodes, topology.Node{
			ID: "n" + strconv.Itoa(i+1), Addr: cl.Addr().String(), RaftAddr: rl.Addr().String(),
		})
	}
	if err := c.layout.Validate(); err != nil {
		closeAll()
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	// The members open their storage and groups in parallel (each waits
	// for Pebble and 17 Raft groups); startMember closes the listeners of
	// a member that fails to start.
	errs := make([]error, len(c.layout.Nodes))
	var wg sync.WaitGroup
	for i, nd := range c.layout.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.startMember(nd.ID, clientLns[i], raftLns[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	// Every member runs: the preferred leaders need not wait out the
	// start grace a member gives peers that may not be up yet.
	for _, n := range c.runningNodes() {
		n.CampaignFresh()
	}
	if err := c.WaitReady(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("start cluster: %w", err)
	}
	return c, nil
}

func (c *Cluster) prepareDataDir() error {
	if c.opts.DataDir == "" {
		dir, err := os.MkdirTemp("", "norikv-cluster-")
		if err != nil {
			return fmt.Errorf("create temp data dir: %w", err)
		}
		c.dataDir, c.tempDir = dir, true
		return nil
	}
	c.dataDir = c.opts.DataDir
	if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	want := savedLayout{Nodes: c.opts.Nodes, TotalShards: c.opts.TotalShards, Groups: c.opts.Groups}
	path := filepath.Join(c.dataDir, layoutFile)
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		b, _ := json.Marshal(want)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("record cluster shape in %s: %w", path, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", path, err)
	}
	var got savedLayout
	if err := json.Unmarshal(raw, &got); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if got != want {
		return fmt.Errorf("data dir %s holds a cluster of %d nodes, %d shards, %d groups; start it with those flags or use another --data-dir",
			c.dataDir, got.Nodes, got.TotalShards, got.Groups)
	}
	return nil
}

func (c *Cluster) startMember(id string, clientLn, raftLn net.Listener) error {
	n, err := node.Start(node.Config{
		Layout: c.layout, NodeID: id, DataDir: filepath.Join(c.dataDir, id), Timing: c.opts.Timing,
		ClientListener: clientLn, RaftListener: raftLn, Faults: c.faults,
		LogOutput: c.opts.LogOutput, Version: c.opts.Version, Fsync: c.opts.Fsync, TLS: c.tls,
	})
	if err != nil {
		_ = clientLn.Close()
		_ = raftLn.Close()
		return fmt.Errorf("node %s: %w", id, err)
	}
	mx := metrics.New(n, false)
	srv := service.NewWithOptions(n, mx.Observe, service.Options{TLS: c.tls.ServerConfig(), PeerTLS: c.tls.PeerConfig(), IdemClaimed: mx.IdemClaimed})
	m := &member{node: n, srv: srv, serve: make(chan struct{})}
	if c.opts.HTTPBasePort > 0 {
		i := slices.IndexFunc(c.layout.Nodes, func(nd topology.Node) bool { return nd.ID == id })
		stop, err := mx.Serve("127.0.0.1:" + strconv.Itoa(c.opts.HTTPBasePort+i))
		if err != nil {
			_ = n.Close()
			return fmt.Errorf("node %s: %w", id, err)
		}
		m.httpStop = stop
	}
	go func() {
		defer close(m.serve)
		_ = m.srv.Serve()
	}()
	c.mu.Lock()
	c.members[id] = m
	c.mu.Unlock()
	return nil
}

// Close stops every node; a temp data dir is removed.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	members := c.members
	c.members = map[string]*member{}
	c.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(c.layout.Nodes))
	for i, nd := range c.layout.Nodes {
		m := members[nd.ID]
		if m == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.stop()
		}()
	}
	wg.Wait()
	if c.tempDir {
		if err := os.RemoveAll(c.dataDir); err != nil {
			errs = append(errs, fmt.Errorf("remove temp data dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (m *member) stop() error {
	if m.httpStop != nil {
		m.httpStop()
	}
	m.srv.Stop()
	<-m.serve
	if err := m.node.Close(); err != nil {
		return fmt.Errorf("stop node %s: %w", m.node.ID(), err)
	}
	return nil
}
