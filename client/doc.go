// Package client is a shard-routing Go client for NoriKV clusters, wire
// compatible with NoriKV's gRPC API (package norikv.v1) and with the NoriKV
// Console extension service (package norikv.console.v1).
//
// # Overview
//
//	c, err := client.New(client.Config{Nodes: []string{"127.0.0.1:7447"}, TotalShards: 1024})
//	if err != nil { ... }
//	defer c.Close()
//	if err := c.Connect(ctx); err != nil { ... }
//	v, err := c.Put(ctx, []byte("user:1"), []byte("ada"), nil)
//	r, err := c.Get(ctx, []byte("user:1"), nil)
//
// # Routing
//
// Every key belongs to one shard: JumpConsistentHash(xxhash64(key), TotalShards)
// (see ShardForKey). Each shard has one leader; the client keeps a per-shard
// leader cache filled from cluster views (Meta.WatchCluster) and from NOT_LEADER
// redirects, so most requests go straight to the right node. Route explains
// where a key would go.
//
// # Requests, retries and redirects
//
// Every call runs one loop: locate the shard's leader, send, classify the
// answer. A NOT_LEADER answer that names the leader (trailer or header
// "leader-hint" or "x-norikv-leader", as an address or a node id) is followed
// at once without sleeping; one without a usable hint makes the client
// relocate (the latest cluster view, then the shard's other replicas and the
// other nodes). Transient failures are retried with exponential backoff plus
// jitter within the caller's context, each class on its own budget
// (RetryConfig.NotLeader, Unavailable, Timeout, Connect; RetryConfig.MaxAttempts
// caps them together). An attempt that outlives Config.Timeout marks its node
// suspect and the next attempt goes elsewhere at once, so a hung leader costs
// one Timeout, not the caller's deadline. InvalidArgument, ResourceExhausted,
// NotFound, FailedPrecondition and AlreadyExists are never retried, and the
// documented limits (MaxKeyBytes, MaxValueBytes, MaxNamespaceBytes,
// MaxVectorIDBytes, MaxDimensions, MaxSearchK) are checked before sending.
// Only the caller's own deadline is sent to the server. Each write carries one
// idempotency key for all its attempts (generated when the caller gave none),
// so a retried write applies at most once.
//
// # Errors
//
// Every error returned by the client matches one of: ErrKeyNotFound,
// ErrAlreadyExists, ErrClosed, ErrUnsupported, ErrNoLeader, ErrInvalidArgument,
// ErrTLS (errors.Is), or *VersionMismatchError, *NoLeaderError,
// *InvalidArgumentError, *ConnectionError, *Error (errors.As). *Error carries
// the gRPC code and message of any server error; the other typed errors also
// unwrap to an *Error.
//
// # Topology
//
// Connect asks every seed for its view in parallel, each within
// Config.Timeout, so one unresponsive seed does not delay it. The client then
// watches the cluster from one node at a time, moving to another node when
// the stream breaks, stays silent past Config.WatchSilence on a server that
// repeats its view, or falls behind; it ignores views older than the newest
// one seen, except from a replaced cluster (another x-norikv-cluster-id),
// whose views replace the old ones (TopologyEvent.Replaced). ClusterView
// returns the latest view, with the nodes this client cannot reach marked
// Unreachable; OnTopologyChange delivers TopologyEvents in epoch order on a
// goroutine of the subscriber's own, so a slow or panicking callback never
// blocks or breaks the client (see OnTopologyChange for the buffering
// policy).
//
// # Console extension
//
// Scan, ListVectorIndexes, NodeStatus, NodeStatuses, TransferShard and
// SnapshotShard use services upstream NoriKV servers may not implement; there
// they fail with an error that errors.Is ErrUnsupported.
//
// # Stats
//
// Stats returns cheap, lock-free counters: pool, router and topology state,
// and per-operation calls, errors (by gRPC code), retries, redirects and a
// latency histogram with P50/P95/P99.
//
// A Client is safe for concurrent use. Close releases every connection and
// goroutine; later calls fail with ErrClosed.
package client
