// Package metrics exposes one node's Prometheus metrics (requests, latency,
// Raft state, expiries, vector indexes) and its HTTP endpoints /healthz,
// /readyz, /health, /health/quick and /metrics.
// Each node has its own registry, so several nodes can share a process.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/norikv/norikv-console/server/internal/node"
)

// Node holds the metrics of one node.
type Node struct {
	n        *node.Node
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	claims   prometheus.Counter
}

// New creates the registry of node n.
func New(n *node.Node, withProcess bool) *Node {
	m := &Node{
		n:   n,
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "norikv_requests_total", Help: "gRPC requests served, by full method name (/norikv.v1.Kv/Get) and status code.",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "norikv_request_duration_seconds", Help: "gRPC request latency, by full method name.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"method"}),
		claims: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "norikv_idem_claims_total", Help: "Idempotency keys this node claimed in another group than their write's (one more replicated entry before the write; our client draws keys that need none).",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.claims, &raftCollector{n: n})
	if withProcess {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Observe records one finished RPC (a service.Observer). method is the
// full gRPC method name, so Kv.Get and Vector.Get are counted apart.
func (m *Node) Observe(method, code string, elapsed time.Duration) {
	m.requests.WithLabelValues(method, code).Inc()
	m.latency.WithLabelValues(method).Observe(elapsed.Seconds())
}

// IdemClaimed counts one idempotency key claimed in another group than its
// write's (a service.Options.IdemClaimed).
func (m *Node) IdemClaimed() { m.claims.Inc() }

// Handler serves /healthz and /health/quick (the process is up), /health
// (the node is serving: 503 once it is shutting down, or while it cannot
// write its Raft log, saying why), /readyz (every
// local group knows its leader) and /metrics. /health and /health/quick
// are the names NoriKV's own tooling polls.
func (m *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	alive := func(w http.ResponseWriter, _ *http.Request) {
		_, _ = fmt.Fprintln(w, "ok")
	}
	mux.HandleFunc("/healthz", alive)
	mux.HandleFunc("/health/quick", alive)
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		if !m.n.Serving() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if e := m.n.StorageError(); e != "" {
			http.Error(w, "storage: "+e, http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !m.n.AllGroupsLed() {
			http.Error(w, "not ready: some replication group has no leader", http.StatusServiceUnavailable)
			return
		}
		_, _ = fmt.Fprintln(w, "ready")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// Serve serves Handler on addr until the returned stop function is called.
func (m *Node) Serve(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for HTTP on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us; stop() still returns cleanly
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}

var (
	descTerm    = prometheus.NewDesc("norikv_raft_term", "Raft term of each local group.", []string{"group"}, nil)
	descCommit  = prometheus.NewDesc("norikv_raft_commit_index", "Raft commit index of each local group.", []string{"group"}, nil)
	descApplied = prometheus.NewDesc("norikv_raft_applied_index", "Raft applied index of each local group.", []string{"group"}, nil)
	descLeader  = prometheus.NewDesc("norikv_raft_is_leader", "1 when this node leads the group.", []string{"group"}, nil)
	descHeld    = prometheus.NewDesc("norikv_raft_vote_held", "1 while this node, started without its data, neither votes nor campaigns in the group until it has caught up (group \"meta\": the metadata group).", []string{"group"}, nil)
	descKeys    = prometheus.NewDesc("norikv_keys", "Keys stored in each local group (expired ones not yet deleted included).", []string{"group"}, nil)
	descExpired = prometheus.NewDesc("norikv_expired_keys_deleted_total", "Keys this replica deleted because their TTL ran out.", []string{"group"}, nil)
	descEpoch   = prometheus.NewDesc("norikv_cluster_epoch", "Cluster view epoch on this node.", nil, nil)
	descVectors = prometheus.NewDesc("norikv_vector_index_vectors", "Live vectors in each vector index this node replicates.", []string{"group", "namespace"}, nil)
	descVecMem  = prometheus.NewDesc("norikv_vector_index_bytes", "Approximate memory held by each vector index this node replicates.", []string{"group", "namespace"}, nil)
	descFull    = prometheus.NewDesc("norikv_storage_full", "1 while this node's Raft log refuses entries because its disk is too full (it leads no group and does not campaign meanwhile).", nil, nil)
	descFaults  = prometheus.NewDesc("norikv_storage_full_total", "Times this node's disk became too full for its Raft log since it started.", nil, nil)
	descConns   = prometheus.NewDesc("norikv_client_connections", "Client connections open on this node's client port.", nil, nil)
	descConnMax = prometheus.NewDesc("norikv_client_connections_max", "The most client connections this node takes at once (serve --max-client-conns; 0: no cap).", nil, nil)
	descRefused = prometheus.NewDesc("norikv_client_connections_refused_total", "Client connections closed at once because the node had its most open (a client leaking connections?).", nil, nil)
	descCutOff  = prometheus.NewDesc("norikv_meta_cut_off", "1 while this node has not heard from the metadata group's leader for two heartbeat timeouts: its cluster view is not kept current and it ends watch streams.", nil, nil)
	descEvicted = prometheus.NewDesc("norikv_client_connections_evicted_total", "Idle client connections closed to make room for new ones at the cap (a client leaking connections?).", nil, nil)
	descSyncs   = prometheus.NewDesc("norikv_raft_log_sync_seconds", "How long each sync of the Raft log's write-ahead log took (with --fsync; every write waits for one).", nil, nil)
	descSlowSyn = prometheus.NewDesc("norikv_raft_log_syncs_slow", "1 while the p99 of this node's Raft log syncs of the last 30 s is 100 ms or more (a slow or failing disk).", nil, nil)
	descVecPend = prometheus.NewDesc("norikv_vector_index_pending", "Writes to each HNSW index acknowledged but not yet linked into its graph (searches already see them).", []string{"group", "namespace"}, nil)
)

// raftCollector reads Raft state at scrape time.
type raftCollector struct{ n *node.Node }

func (c *raftCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTerm, descCommit, descApplied, descLeader, descHeld, descKeys, descExpired, descEpoch, descVectors, descVecMem, descVecPend, descFull, descFaults, descConns, descConnMax, descRefused, descEvicted, descCutOff, descSyncs, descSlowSyn} {
		ch <- d
	}
}

func (c *raftCollector) Collect(ch chan<- prometheus.Metric) {
	for _, g := range c.n.Status() {
		label := strconv.Itoa(g.ID)
		leader := 0.0
		if g.State == "leader" {
			leader = 1
		}
		ch <- prometheus.MustNewConstMetric(descTerm, prometheus.GaugeValue, float64(g.Term), label)
		ch <- prometheus.MustNewConstMetric(descCommit, prometheus.GaugeValue, float64(g.CommitIndex), label)
		ch <- prometheus.MustNewConstMetric(descApplied, prometheus.GaugeValue, float64(g.AppliedIdx), label)
		ch <- prometheus.MustNewConstMetric(descLeader, prometheus.GaugeValue, leader, label)
		ch <- prometheus.MustNewConstMetric(descHeld, prometheus.GaugeValue, boolGauge(g.VoteHeld), label)
		ch <- prometheus.MustNewConstMetric(descKeys, prometheus.GaugeValue, float64(g.Keys), label)
		ch <- prometheus.MustNewConstMetric(descExpired, prometheus.CounterValue, float64(g.ExpiredDeletes), label)
	}
	for _, g := range c.n.Groups() {
		label := strconv.Itoa(g.ID)
		for _, ix := range g.Vectors.List() {
			ch <- prometheus.MustNewConstMetric(descVectors, prometheus.GaugeValue, float64(ix.Count), label, ix.Namespace)
			ch <- prometheus.MustNewConstMetric(descVecMem, prometheus.GaugeValue, float64(ix.Bytes), label, ix.Namespace)
			ch <- prometheus.MustNewConstMetric(descVecPend, prometheus.GaugeValue, float64(ix.Pending), label, ix.Namespace)
		}
	}
	ch <- prometheus.MustNewConstMetric(descHeld, prometheus.GaugeValue, boolGauge(c.n.MetaVoteHeld()), "meta")
	ch <- prometheus.MustNewConstMetric(descFull, prometheus.GaugeValue, boolGauge(c.n.StorageFull()))
	ch <- prometheus.MustNewConstMetric(descFaults, prometheus.CounterValue, float64(c.n.StorageFaults()))
	open, refused, maxConns := c.n.ClientConns()
	ch <- prometheus.MustNewConstMetric(descCutOff, prometheus.GaugeValue, boolGauge(c.n.MetaCutOff() != ""))
	ch <- prometheus.MustNewConstMetric(descEvicted, prometheus.CounterValue, float64(c.n.ClientConnsEvicted()))
	ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(descConnMax, prometheus.GaugeValue, float64(maxConns))
	ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(refused))
	count, sum, buckets := c.n.LogSyncs()
	ch <- prometheus.MustNewConstHistogram(descSyncs, count, sum, buckets)
	ch <- prometheus.MustNewConstMetric(descSlowSyn, prometheus.GaugeValue, boolGauge(c.n.SlowSyncs() != ""))
	st, _ := c.n.Meta()
	ch <- prometheus.MustNewConstMetric(descEpoch, prometheus.GaugeValue, float64(st.Epoch))
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
