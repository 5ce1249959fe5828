package client

import (
	"sort"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client/internal/metrics"
)

// opKind indexes the per-operation metrics.
type opKind int

const (
	opPut opKind = iota
	opGet
	opDelete
	opVectorCreateIndex
	opVectorDropIndex
	opVectorInsert
	opVectorSearch
	opVectorGet
	opVectorDelete
	opScan
	opListVectorIndexes
	opNodeStatus
	opTransferShard
	opSnapshotShard
	numOps
)

// opNames are the operation names used in errors and Stats.Ops.
var opNames = [numOps]string{
	"put", "get", "delete",
	"vector create index", "vector drop index", "vector insert", "vector search", "vector get", "vector delete",
	"scan", "list vector indexes", "node status", "transfer shard", "snapshot shard",
}

// clientMetrics are the client's lock-free counters.
type clientMetrics struct {
	ops            [numOps]metrics.Op
	codes          metrics.Codes
	viewsReceived  atomic.Uint64
	viewsIgnored   atomic.Uint64
	watchRestarts  atomic.Uint64
	eventsMerged   atomic.Uint64
	callbackPanics atomic.Uint64
	// clusterReplacements counts views accepted from a replaced cluster.
	clusterReplacements atomic.Uint64
	// nodes counts attempts per node (Stats.NodeOps).
	nodes nodeMetrics
	// stripes picks the stripe of the counters a call writes (the
	// caller's processor's; see metrics.Stripes).
	stripes metrics.Stripes
}

// Stats is a snapshot of the client's state and counters.
type Stats struct {
	Pool     PoolStats
	Router   RouterStats
	Topology TopologyStats
	Requests RequestStats
	// TLS is true when the client's connections are encrypted (Config.TLS set).
	TLS bool
	// Ops holds per-operation counters keyed by operation name ("put",
	// "get", "delete", "scan", "vector search", ...). Operations never called
	// are included with zero counts.
	Ops map[string]OpStats
	// NodeOps splits the operations by node: operation name -> node
	// address -> that node's attempts (one request sent to it; Retries and
	// Redirects are not counted here). Only attempted operations appear.
	// It answers "which node is slow" from the client's own measurements.
	NodeOps map[string]map[string]OpStats
}

// PoolStats describes the connection pool.
type PoolStats struct {
	ActiveConnections int      // one per node in use
	Dials             uint64   // connections ever created
	Dropped           uint64   // connections closed because their node left
	Addrs             []string // addresses with an open connection
	// Failing lists the addresses among Addrs whose connection is failing
	// (transport failure, or the node's last call failed or timed out):
	// open, but the node is not answering on it.
	Failing []string
}

// RouterStats describes routing.
type RouterStats struct {
	TotalNodes  int // nodes in the current view (seeds before the first view)
	TotalShards int
	SeedNodes   int
}

// TopologyStats describes the topology watch and the leader cache.
type TopologyStats struct {
	Epoch         uint64 // epoch of the current view (0 before the first)
	ViewsReceived uint64 // views received, including ignored ones
	ViewsIgnored  uint64 // views not newer than the current one
	CachedLeaders int    // shards with a known leader
	WatchNode     string // address the watch stream reads from ("" before it starts)
	WatchRestarts uint64 // times the watch stream ended and moved on
	// ViewNotCurrent is why the node the watch last streamed from ended
	// it saying its view is not kept current ("n1 cannot follow the
	// cluster: it has not heard from the metadata group's leader for
	// 12 s, ..."), with its address; "" once a stream is live again.
	// While it is set and no other node answers, the view may be behind.
	ViewNotCurrent string
	Subscribers    int
	EventsMerged   uint64 // events merged because a subscriber fell behind
	CallbackPanics uint64 // panics recovered from topology callbacks
	// ClusterID is the cluster's identity (x-norikv-cluster-id), "" when
	// the server does not send one.
	ClusterID string
	// ClusterReplacements counts times the client found the cluster
	// replaced (restarted without its data) and started over.
	ClusterReplacements uint64
	// LastView is when the current view was accepted (zero before the first).
	LastView time.Time
	// UnreachableNodes lists the ids of view nodes the client cannot reach
	// (see ClusterNode.Unreachable), sorted.
	UnreachableNodes []string
}

// RequestStats sums the per-operation counters.
type RequestStats struct {
	Calls     uint64
	Errors    uint64
	Retries   uint64
	Redirects uint64
	// ErrorsByCode counts failed calls by gRPC code name ("Unavailable", ...).
	ErrorsByCode map[string]uint64
}

// OpStats are one operation's counters.
type OpStats struct {
	Calls     uint64
	Errors    uint64
	Retries   uint64
	Redirects uint64
	// Suspended counts the calls (among Calls) that ran across a stall of
	// this process: it was stopped (SIGSTOP, Ctrl-Z, a paused VM) or did
	// not run for over a second while they were in flight. Their latency
	// measures the stall, not the cluster, and is left out of Latency.
	Suspended uint64
	Latency   LatencyHistogram
}

// LatencyHistogram is a snapshot of a fixed-bucket latency histogram
// (four log-linear buckets per power of two, ~1µs to minutes).
type LatencyHistogram struct {
	snap metrics.Snapshot
}

// LatencyBucket is one non-empty histogram bucket: samples in [Lower, Upper).
type LatencyBucket struct {
	Lower, Upper time.Duration
	Count        uint64
}

// Count is the number of samples.
func (h LatencyHistogram) Count() uint64 { return h.snap.Count }

// Mean is the average latency (0 when empty).
func (h LatencyHistogram) Mean() time.Duration {
	if h.snap.Count == 0 {
		return 0
	}
	return h.snap.Sum / time.Duration(h.snap.Count)
}

// Max is the largest latency seen.
func (h LatencyHistogram) Max() time.Duration { return h.snap.Max }

// Percentile returns the q-quantile, q in [0, 1] (e.g. 0.99).
func (h LatencyHistogram) Percentile(q float64) time.Duration { return h.snap.Quantile(q) }

// P50 is the median latency.
func (h LatencyHistogram) P50() time.Duration { return h.snap.Quantile(0.50) }

// P95 is the 95th percentile latency.
func (h LatencyHistogram) P95() time.Duration { return h.snap.Quantile(0.95) }

// P99 is the 99th percentile latency.
func (h LatencyHistogram) P99() time.Duration { return h.snap.Quantile(0.99) }

// Buckets returns the non-empty buckets in ascending order.
func (h LatencyHistogram) Buckets() []LatencyBucket {
	var out []LatencyBucket
	for i, c := range h.snap.Counts {
		if c == 0 {
			continue
		}
		lo, hi := metrics.BucketBounds(i)
		out = append(out, LatencyBucket{Lower: lo, Upper: hi, Count: c})
	}
	return out
}

// Stats returns a snapshot of the client's counters. It takes no locks on
// the request path and is cheap enough to poll every second.
func (c *Client) Stats() Stats {
	ps := c.pool.Stats()
	s := Stats{
		Pool:   PoolStats{ActiveConnections: ps.Active, Dials: ps.Dials, Dropped: ps.Dropped, Addrs: ps.Addrs, Failing: ps.Failing},
		Router: RouterStats{TotalShards: c.sh().total, SeedNodes: len(c.cfg.Nodes), TotalNodes: len(c.cfg.Nodes)},
		Topology: TopologyStats{
			ViewsReceived:  c.m.viewsReceived.Load(),
			ViewsIgnored:   c.m.viewsIgnored.Load(),
			WatchNode:      c.watchAddr(),
			WatchRestarts:  c.m.watchRestarts.Load(),
			ViewNotCurrent: c.notCurrent.Load().String(),
			EventsMerged:   c.m.eventsMerged.Load(),
			CallbackPanics: c.m.callbackPanics.Load(),
		},
		Requests: RequestStats{ErrorsByCode: map[string]uint64{}},
		TLS:      c.Encrypted(),
		Ops:      make(map[string]OpStats, numOps),
	}
	s.Topology.ClusterReplacements = c.m.clusterReplacements.Load()
	if t := c.topo.Load(); t != nil {
		s.Topology.Epoch = t.view.Epoch
		s.Topology.ClusterID = t.clusterID
		s.Topology.LastView = t.received
		s.Router.TotalNodes = len(t.view.Nodes)
		for _, n := range t.view.Nodes {
			if !c.reachable(n.Addr) {
				s.Topology.UnreachableNodes = append(s.Topology.UnreachableNodes, n.ID)
			}
		}
		sort.Strings(s.Topology.UnreachableNodes)
	}
	leaders := c.sh().leaders
	for i := range leaders {
		if e := leaders[i].Load(); e != nil && e.addr != "" {
			s.Topology.CachedLeaders++
		}
	}
	c.subsMu.Lock()
	s.Topology.Subscribers = len(c.subs)
	c.subsMu.Unlock()
	for i := range c.m.ops {
		o := &c.m.ops[i]
		os := OpStats{
			// Errors before the calls they are among: errors <= calls.
			Errors:    o.Errors.Load(),
			Retries:   o.Retries.Load(),
			Redirects: o.Redirects.Load(),
		}
		os.Latency = LatencyHistogram{snap: o.Latency.Snapshot()}
		os.Suspended = o.Suspended.Load()
		os.Calls = os.Latency.snap.Count + os.Suspended // calls are counted by their latencies
		s.Ops[opNames[i]] = os
		s.Requests.Calls += os.Calls
		s.Requests.Errors += os.Errors
		s.Requests.Retries += os.Retries
		s.Requests.Redirects += os.Redirects
	}
	s.NodeOps = c.m.nodes.snapshot()
	for code := codes.Code(0); code < metrics.NumCodes; code++ {
		if n := c.m.codes.Get(code); n > 0 {
			s.Requests.ErrorsByCode[code.String()] = n
		}
	}
	return s
}
