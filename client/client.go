package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/norikv/norikv-console/client/internal/backoff"
	"github.com/norikv/norikv-console/client/internal/pool"
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
	shards  atomic.Pointer[shardState] // the shard count routed by, with the leader cache
	applyMu sync.Mutex                 // serialises applyView

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	closed atomic.Bool
	bgMu   sync.Mutex     // orders goBackground against Close
	wg     sync.WaitGroup // background goroutines (watch, refresh)

	connectOnce sync.Once
	firstView   chan struct{} // closed when the first view is applied and the watch has a node
	unreachable chan error    // gets an error when a full round of seeds failed before any view
	firstOnce   sync.Once

	subsMu sync.Mutex
	subs   map[*subscriber]struct{}

	idemPrefix string
	rr         atomic.Uint64 // round-robin cursor for relocation and fan-out

	refreshing atomic.Bool // single-flight topology refresh
	watchNode  atomic.Pointer[string]
	notCurrent atomic.Pointer[notCurrentNote] // why the last watched node's view is not current (watchstream.go)
	// probeBehind: the nodes whose last probe answer said their view is
	// not current (addr -> true; watch.go).
	probeBehind sync.Map
	watchKick   chan struct{} // asks the watch to move to another node
	// replacedAfter is the replacedAfter bound (a field so tests can
	// shorten it).
	replacedAfter time.Duration

	mdPool sync.Pool // *callMD
	// slots bound the attempts of callers that never cancel (attempt.go).
	slots attemptSlots

	// noVecBatch is set once a server answered UNIMPLEMENTED to
	// VectorInsertBatch: VectorInsertMany then inserts one by one.
	noVecBatch atomic.Bool

	// addrCluster is the cluster id each address last answered under,
	// foreign the addresses that answer as another cluster's nodes
	// (nForeign counts them, read without the lock); applyMu guards both.
	addrCluster map[string]string
	foreign     map[string]*OtherClusterError
	nForeign    atomic.Int64

	m clientMetrics
	// stalls notices the process not running, for the metrics (stall.go).
	stalls stallClock
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
		policies:      cfg.Retry.policies(),
		seeds:         make(map[string]bool, len(cfg.Nodes)),
		firstView:     make(chan struct{}),
		unreachable:   make(chan error, 1),
		watchKick:     make(chan struct{}, 1),
		replacedAfter: replacedAfter,
		subs:          make(map[*subscriber]struct{}),
		addrCluster:   make(map[string]string),
		foreign:       make(map[string]*OtherClusterError),
		idemPrefix:    "nkc-" + hex.EncodeToString(buf[:]) + "-",
	}
	c.shards.Store(newShardState(cfg.TotalShards, c.idemPrefix))
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
		// Keepalive notices a connection whose node stopped answering (a
		// paused process keeps its TCP connections open) even when no
		// request is waiting on it, e.g. under a watch stream from a server
		// that sends no heartbeats. 10s is gRPC's minimum client interval;
		// servers must permit it (our server's enforcement policy does).
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: keepaliveTime, Timeout: keepaliveTimeout}),
		// A connection attempt must not outlive Config.Timeout (gRPC's own
		// minimum is 20s, which made one black-holed seed stall Connect),
		// and a node that comes back is redialled within seconds.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           grpcbackoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 3 * time.Second},
			MinConnectTimeout: cfg.Timeout,
		}),
	}, cfg.DialOptions...)
	c.pool = pool.New(opts)
	c.mdPool.New = newCallMD
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Keepalive parameters for every connection (see New).
const (
	keepaliveTime    = 10 * time.Second
	keepaliveTimeout = 3 * time.Second
)

// Config returns the client's configuration with defaults applied; its
// TotalShards is the count the client routes by now (the cluster's once
// adopted, see Config.AdoptShardCount).
func (c *Client) Config() Config {
	cfg := c.cfg
	cfg.TotalShards = c.sh().total
	return cfg
}

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
	c.startStallClock()
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
// node is reachable. Seeds are asked in parallel, each within
// Config.Timeout, so an unresponsive seed does not delay the others.
func (c *Client) ping(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	results := make(chan probeResult, len(c.cfg.Nodes))
	for _, s := range c.cfg.Nodes {
		go func() { results <- probeResult{addr: s, err: c.fetchViewCtx(ctx, s)} }()
	}
	var errs []nodeErr
	ok, tlsFailed := false, false
	for range c.cfg.Nodes {
		r := <-results
		if r.err == nil || isUnimplemented(r.err) {
			if !ok {
				ok = true
				cancel() // one answer is enough; end the others
			}
			continue
		}
		msg, isTLS := c.explainConnErr(r.err)
		tlsFailed = tlsFailed || isTLS
		errs = append(errs, nodeErr{r.addr, msg})
	}
	if ok {
		return nil
	}
	var cause error
	if tlsFailed {
		cause = ErrTLS
	}
	if err := parent.Err(); err != nil {
		return ctxError("connect", err)
	}
	return &ConnectionError{Addr: c.cfg.Nodes[len(c.cfg.Nodes)-1], err: newError("connect", codes.Unavailable,
		"no seed answered within Config.Timeout ("+c.cfg.Timeout.String()+"): "+errString(joinErrs(errs)), cause)}
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
func (c *Client) nextIdempotencyKey(shard int) string { return c.sh().idem.next(shard) }

// shardState is the shard count the client routes by and what is sized by
// it: the leader cache and the idempotency keys. It is replaced as a whole
// when the client adopts another count (Config.AdoptShardCount).
type shardState struct {
	total   int
	leaders []atomic.Pointer[leaderEntry]
	idem    *idemKeys
}

func newShardState(total int, idemPrefix string) *shardState {
	return &shardState{total: total, leaders: make([]atomic.Pointer[leaderEntry], total), idem: newIdemKeys(idemPrefix, total)}
}

// sh returns the current shard state. A call loads it once: a shard
// computed under one count indexes that count's leader cache.
func (c *Client) sh() *shardState { return c.shards.Load() }
