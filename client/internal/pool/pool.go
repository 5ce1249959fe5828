// Package pool keeps one multiplexed gRPC connection per NoriKV node, keyed
// by address, with the generated stubs built once so the request path never
// allocates them. Nodes that leave the cluster are dropped with Retain.
package pool

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/proto/norikvpb"
)

// Node is one pooled connection with its stubs and per-node quirks.
type Node struct {
	Addr    string
	Conn    *grpc.ClientConn
	Kv      norikvpb.KvClient
	Meta    norikvpb.MetaClient
	Admin   norikvpb.AdminClient
	Vector  norikvpb.VectorClient
	Console consolepb.ConsoleClient

	// downUntil (unix ns) is set after a transport failure: until then the
	// client prefers other nodes when it has a choice.
	downUntil atomic.Int64
	// failing is set by MarkFailed and cleared by MarkUp.
	failing atomic.Bool
	// reprobeAt (unix ns) rate-limits re-checks of a failing node.
	reprobeAt atomic.Int64
	// probing is set while a check of whether the node answers at all
	// runs (ClaimProbe), so calls timing out together ask it once.
	probing atomic.Bool

	// RepeatsViews is set once a watch stream from the node repeated its
	// view (a heartbeat): silence from it then means the node stopped.
	RepeatsViews atomic.Bool

	// captureUntil (unix ns): until then the client asks this node's
	// answers for their header and trailer, where leader hints travel
	// (set after it answered NOT_LEADER; see CaptureMetadata).
	captureUntil atomic.Int64

	// AltVocab is set once the node rejected the primary consistency
	// vocabulary (lease/linearizable/stale_ok) and accepted the other one.
	AltVocab atomic.Bool
}

// Pool maps addresses to connections. Safe for concurrent use.
//
// Every request looks its node up (Get, IsDown), and a read lock's shared
// counter bounced between cores on each one, so reads take no lock: the map
// is copied on write (a new node, Retain, Close; all rare) and swapped in.
type Pool struct {
	dialOpts []grpc.DialOption

	mu     sync.Mutex                       // serialises writers
	nodes  atomic.Pointer[map[string]*Node] // never modified once stored
	closed atomic.Bool

	dials atomic.Uint64
	drops atomic.Uint64
}

// ErrClosed is returned by Get after Close.
var ErrClosed = fmt.Errorf("connection pool closed")

// New returns an empty pool that dials with opts.
func New(opts []grpc.DialOption) *Pool {
	p := &Pool{dialOpts: opts}
	p.nodes.Store(&map[string]*Node{})
	return p
}

// lookup returns the node for addr from the current map.
func (p *Pool) lookup(addr string) (*Node, bool) {
	n, ok := (*p.nodes.Load())[addr]
	return n, ok
}

// DialOptions returns the options every connection of the pool is dialled
// with (benchmarks dial their raw stubs the same way).
func (p *Pool) DialOptions() []grpc.DialOption { return p.dialOpts }

// Get returns the node for addr, creating its connection on first use.
// Connections are lazy: grpc.NewClient does not touch the network.
func (p *Pool) Get(addr string) (*Node, error) {
	if n, ok := p.lookup(addr); ok {
		return n, nil
	}
	if p.closed.Load() {
		return nil, ErrClosed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return nil, ErrClosed
	}
	if n, ok := p.lookup(addr); ok {
		return n, nil
	}
	cc, err := grpc.NewClient(addr, p.dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	n := &Node{
		Addr:    addr,
		Conn:    cc,
		Kv:      norikvpb.NewKvClient(cc),
		Meta:    norikvpb.NewMetaClient(cc),
		Admin:   norikvpb.NewAdminClient(cc),
		Vector:  norikvpb.NewVectorClient(cc),
		Console: consolepb.NewConsoleClient(cc),
	}
	old := *p.nodes.Load()
	next := make(map[string]*Node, len(old)+1)
	for a, o := range old {
		next[a] = o
	}
	next[addr] = n
	p.nodes.Store(&next)
	p.dials.Add(1)
	return n, nil
}

// MarkFailed records that n failed at the transport level or did not
// answer in time: for d, routing prefers other nodes, and the node counts
// as unreachable until it answers again.
func (n *Node) MarkFailed(d time.Duration) {
	n.downUntil.Store(time.Now().Add(d).UnixNano())
	n.failing.Store(true)
}

// Avoid makes routing prefer other nodes for d, as MarkFailed does, without
// counting the node unreachable: a call timed out on it, and whether the
// node itself is at fault is not known yet (a group without a majority
// holds a call on a node that answers every other one).
func (n *Node) Avoid(d time.Duration) {
	n.downUntil.Store(time.Now().Add(d).UnixNano())
}

// ClaimProbe reports whether the caller should check now whether the node
// answers at all: true unless a check runs already. The caller calls
// ProbeDone when its check ends.
func (n *Node) ClaimProbe() bool { return n.probing.CompareAndSwap(false, true) }

// ProbeDone ends a check claimed with ClaimProbe.
func (n *Node) ProbeDone() { n.probing.Store(false) }

// MarkUp clears a MarkFailed after a successful call.
func (n *Node) MarkUp() {
	if n.downUntil.Load() != 0 {
		n.downUntil.Store(0)
	}
	if n.failing.Load() {
		n.failing.Store(false)
	}
}

// Reachable reports whether the node looks reachable: its last call did
// not fail at the transport level or time out, and its connection is not
// failing. A node never called counts as reachable until proven otherwise.
func (n *Node) Reachable() bool {
	if n.failing.Load() {
		return false
	}
	switch n.Conn.GetState() {
	case connectivity.TransientFailure, connectivity.Shutdown:
		return false
	}
	return true
}

// CaptureMetadata reports whether calls sent to the node at now (unix ns)
// should ask for the answer's header and trailer.
func (n *Node) CaptureMetadata(now int64) bool { return now < n.captureUntil.Load() }

// CaptureMetadataFor makes calls to the node ask for the answer's header
// and trailer for d.
func (n *Node) CaptureMetadataFor(d time.Duration) {
	n.captureUntil.Store(time.Now().Add(d).UnixNano())
}

// ClaimReprobe reports whether the caller should re-check a failing node
// now: true at most once per interval per node.
func (n *Node) ClaimReprobe(interval time.Duration) bool {
	now := time.Now().UnixNano()
	last := n.reprobeAt.Load()
	return now-last >= int64(interval) && n.reprobeAt.CompareAndSwap(last, now)
}

// DownAt reports whether the node failed recently (see MarkFailed), as of
// now (unix ns).
func (n *Node) DownAt(now int64) bool {
	until := n.downUntil.Load()
	return until != 0 && now < until
}

// Lookup returns the node for addr if a connection exists, without
// creating one.
func (p *Pool) Lookup(addr string) (*Node, bool) { return p.lookup(addr) }

// IsDown reports whether the node at addr failed recently (see MarkFailed).
func (p *Pool) IsDown(addr string) bool {
	n, ok := p.lookup(addr)
	return ok && n.DownAt(time.Now().UnixNano())
}

// Retain closes and forgets every connection whose address is not in keep.
func (p *Pool) Retain(keep map[string]bool) {
	p.mu.Lock()
	var drop []*Node
	next := map[string]*Node{}
	for addr, n := range *p.nodes.Load() {
		if keep[addr] {
			next[addr] = n
			continue
		}
		drop = append(drop, n)
		p.drops.Add(1)
	}
	if len(drop) > 0 {
		p.nodes.Store(&next)
	}
	p.mu.Unlock()
	for _, n := range drop {
		_ = n.Conn.Close()
	}
}

// Close closes every connection; later Gets fail with ErrClosed.
func (p *Pool) Close() {
	p.mu.Lock()
	nodes := *p.nodes.Load()
	p.nodes.Store(&map[string]*Node{})
	p.closed.Store(true)
	p.mu.Unlock()
	for _, n := range nodes {
		_ = n.Conn.Close()
	}
}

// Stats describes the pool.
type Stats struct {
	Active  int
	Dials   uint64
	Dropped uint64
	Addrs   []string
	Failing []string // of Addrs, those whose node does not look reachable (Node.Reachable)
}

// Stats returns the current pool statistics.
func (p *Pool) Stats() Stats {
	nodes := *p.nodes.Load()
	s := Stats{Active: len(nodes), Dials: p.dials.Load(), Dropped: p.drops.Load()}
	for a, n := range nodes {
		s.Addrs = append(s.Addrs, a)
		if !n.Reachable() {
			s.Failing = append(s.Failing, a)
		}
	}
	return s
}
