package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/norikv/norikv-console/client/internal/backoff"
	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// Client is a shard-routing NoriKV client. Create it with New, start it with
// Connect, release it with Close. Safe for concurrent use.
type Client struct {
	cfg      Config
	policy   backoff.Policy // overall budget; also paces the watch's reconnects
	policies [numRetryClasses]backoff.Policy
	pool     *pool.Pool
	seeds    map[string]bool

	topo    atomic.Pointer[topology]
	leaders []atomic.Pointer[leaderEntry]
	applyMu sync.Mutex // serialises applyView

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	closed atomic.Bool
	bgMu   sync.Mutex     // orders goBackground against Close
	wg     sync.WaitGroup // background goroutines (watch, refresh)

	connectOnce sync.Once
	firstView   chan struct{} // closed when the first view is applied
	unreachable chan error    // gets an error when a full round of seeds failed before any view
	firstOnce   sync.Once

	subsMu sync.Mutex
	subs   map[*subscriber]struct{}

	idem *idemKeys
	rr   atomic.Uint64 // round-robin cursor for relocation and fan-out

	refreshing atomic.Bool // single-flight topology refresh
	watchNode  atomic.Pointer[string]
	watchKick  chan struct{} // asks the watch to move to another node

	mdPool sync.Pool // *callMD

	m clientMetrics
}

// New validates cfg and returns a client. It does not touch the network;
// call Connect to dial the seeds and start watching the topology.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	var buf [8]byte
	_, _ = rand.Read(buf[:])
	c := &Client{
		cfg: cfg,
		policy: backoff.Policy{
			MaxAttempts:  cfg.Retry.MaxAttempts,
			InitialDelay: cfg.Retry.InitialDelay,
			MaxDelay:     cfg.Retry.MaxDelay,
			Jitter:       cfg.Retry.Jitter,
		},
		policies:    cfg.Retry.policies(),
		seeds:       make(map[string]bool, len(cfg.Nodes)),
		leaders:     make([]atomic.Pointer[leaderEntry], cfg.TotalShards),
		firstView:   make(chan struct{}),
		unreachable: make(chan error, 1),
		watchKick:   make(chan struct{}, 1),
		subs:        make(map[*subscriber]struct{}),
		idem:        newIdemKeys("nkc-"+hex.EncodeToString(buf[:])+"-", cfg.TotalShards),
	}
	for _, n := range cfg.Nodes {
		c.seeds[n] = true
	}
	creds := insecure.NewCredentials()
	if cfg.TLS != nil {
		creds = credentials.NewTLS(cfg.TLS)
	}
	// Replies may be large (a k=1000 search with vectors of 4096 dimensions
	// is 16 MiB), beyond gRPC's 4 MiB default; DialOptions may lower it.
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxReplyBytes)),
	}, cfg.DialOptions...)
	c.pool = pool.New(opts)
	c.mdPool.New = newCallMD
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Config returns the client's configuration with defaults applied.
func (c *Client) Config() Config { return c.cfg }

// Connect dials the seeds and starts the topology watch. It returns once the
// first cluster view arrived, or once every seed answered that it has no
// Meta service (the client then routes by redirects alone). If every seed
// failed once, or ctx ends first, it returns a *ConnectionError; the watch
// keeps trying in the background until Close, so requests may still succeed
// once a node comes up. Calling Connect again waits again.
func (c *Client) Connect(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	for _, s := range c.cfg.Nodes {
		if _, err := c.pool.Get(s); err != nil {
			return &ConnectionError{Addr: s, err: newError("connect", codes.Unavailable, err.Error(), nil)}
		}
	}
	if c.cfg.DisableWatch {
		return c.ping(ctx)
	}
	c.connectOnce.Do(func() { c.goBackground(c.watchLoop) })
	select {
	case <-c.firstView:
		return nil
	case err := <-c.unreachable:
		select {
		case <-c.firstView: // a view arrived after all: the report is stale
			return nil
		default:
			return err
		}
	case <-ctx.Done():
		return &ConnectionError{Addr: c.lastWatchAddr(), err: newError("connect", codes.Unavailable,
			"no cluster view received before the context ended: "+ctx.Err().Error(), ctx.Err())}
	case <-c.ctx.Done():
		return ErrClosed
	}
}

// ping checks that at least one seed answers a WatchCluster call (used when
// the watch is disabled): any gRPC answer, even UNIMPLEMENTED, proves the
// node is reachable.
func (c *Client) ping(ctx context.Context) error {
	var last error
	for _, s := range c.cfg.Nodes {
		n, err := c.pool.Get(s)
		if err != nil {
			last = err
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		stream, err := n.Meta.WatchCluster(cctx, &norikvpb.ClusterView{}, grpc.WaitForReady(true))
		if err == nil {
			var v *norikvpb.ClusterView
			v, err = stream.Recv()
			if err == nil {
				c.applyView(v)
			}
		}
		cancel()
		if err == nil || isUnimplemented(err) {
			return nil
		}
		last = err
	}
	if ctx.Err() != nil {
		return ctxError("connect", ctx.Err())
	}
	return &ConnectionError{Addr: c.cfg.Nodes[len(c.cfg.Nodes)-1], err: newError("connect", codes.Unavailable, errString(last), nil)}
}

func errString(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// Close stops the watch and event delivery and closes every connection. It
// is idempotent; calls after Close fail with ErrClosed. Close does not wait
// for a topology callback that is still running; it waits up to one second
// for the others to finish.
func (c *Client) Close() error {
	c.bgMu.Lock()
	if !c.closed.CompareAndSwap(false, true) {
		c.bgMu.Unlock()
		return nil
	}
	c.bgMu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.subsMu.Lock()
	subs := c.subs
	c.subs = map[*subscriber]struct{}{}
	c.subsMu.Unlock()
	deadline := time.NewTimer(time.Second)
	defer deadline.Stop()
	for s := range subs {
		s.close()
	}
	for s := range subs {
		select {
		case <-s.done:
		case <-deadline.C:
		}
	}
	c.pool.Close()
	return nil
}

// goBackground runs fn on a goroutine that Close waits for, unless the
// client is already closed. It reports whether fn was started.
func (c *Client) goBackground(fn func()) bool {
	c.bgMu.Lock()
	defer c.bgMu.Unlock()
	if c.closed.Load() {
		return false
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		fn()
	}()
	return true
}

// ClusterView returns the latest cluster view, or nil before the first one.
// The returned view is shared: do not modify it.
func (c *Client) ClusterView() *ClusterView {
	if t := c.topo.Load(); t != nil {
		return t.view
	}
	return nil
}

// OnTopologyChange registers fn to receive a TopologyEvent for every
// accepted cluster view, in epoch order, on a goroutine of its own. A
// panicking fn is recovered (counted in Stats.Topology.CallbackPanics). A slow
// fn never blocks the client: up to Config.EventBuffer events wait for it,
// after which new events are merged into the last waiting one (counted in
// Stats.Topology.EventsMerged). Call the returned function to unsubscribe.
func (c *Client) OnTopologyChange(fn func(TopologyEvent)) (unsubscribe func()) {
	if fn == nil || c.closed.Load() {
		return func() {}
	}
	s := &subscriber{
		fn:     fn,
		limit:  c.cfg.EventBuffer,
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		merged: &c.m.eventsMerged,
		panics: &c.m.callbackPanics,
	}
	c.subsMu.Lock()
	if c.closed.Load() {
		c.subsMu.Unlock()
		return func() {}
	}
	c.subs[s] = struct{}{}
	c.subsMu.Unlock()
	go s.run()
	return func() {
		c.subsMu.Lock()
		delete(c.subs, s)
		c.subsMu.Unlock()
		s.close()
	}
}

// nextIdempotencyKey returns a key unique to this client instance for a
// write to shard, hashing to that shard itself (see idemKeys).
func (c *Client) nextIdempotencyKey(shard int) string { return c.idem.next(shard) }

// applyView installs pb if it is newer than the current view, refreshes the
// leader cache, drops connections to departed nodes and publishes the event.
// It reports whether the view was accepted.
func (c *Client) applyView(pb *norikvpb.ClusterView) bool {
	c.m.viewsReceived.Add(1)
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	old := c.topo.Load()
	if old != nil && pb.GetEpoch() <= old.view.Epoch {
		c.m.viewsIgnored.Add(1)
		return false
	}
	t := newTopology(viewFromPB(pb), c.cfg.TotalShards)
	c.topo.Store(t)
	for shard, id := range t.leader {
		if id == "" {
			c.leaders[shard].Store(nil)
			continue
		}
		addr := t.addrByID[id]
		if cur := c.leaders[shard].Load(); cur != nil && cur.fromView && cur.id == id && cur.addr == addr {
			continue
		}
		c.leaders[shard].Store(&leaderEntry{id: id, addr: addr, fromView: true})
	}
	keep := make(map[string]bool, len(t.view.Nodes)+len(c.seeds))
	for s := range c.seeds {
		keep[s] = true
	}
	for _, n := range t.view.Nodes {
		if n.Addr != "" {
			keep[n.Addr] = true
		}
	}
	c.pool.Retain(keep)
	ev := diffViews(old, t)
	c.subsMu.Lock()
	for s := range c.subs {
		s.push(ev)
	}
	c.subsMu.Unlock()
	c.firstOnce.Do(func() { close(c.firstView) })
	return true
}
