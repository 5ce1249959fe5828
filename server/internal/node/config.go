// Package node runs one cluster member: a Raft group per replication group
// it holds (plus the metadata group), all over one multiplexed replication
// port, with heartbeats, leader balancing and the TTL expirer. The gRPC
// services in package server/service sit on top of it.
package node

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/norikv/norikv-console/server/internal/tlsconf"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
)

// Timing holds the Raft and health timeouts. The defaults are tuned for
// loopback and LAN clusters so failover takes well under two seconds.
type Timing struct {
	HeartbeatTimeout   time.Duration // Raft: follower waits this long without contact before an election
	ElectionTimeout    time.Duration // Raft: candidate waits this long before a new election
	LeaderLeaseTimeout time.Duration // Raft: leader steps down after this long without a quorum
	CommitTimeout      time.Duration // Raft: idle leaders re-send the commit index this often (followers' stale reads lag by up to this)
	NodeHeartbeat      time.Duration // node -> metadata leader heartbeat period
	SuspectAfter       time.Duration // no heartbeat for this long: suspect
	DeadAfter          time.Duration // no heartbeat for this long: dead
	ExpireEvery        time.Duration // leader scans for expired keys this often
	BalanceEvery       time.Duration // leader checks preferred leadership this often
}

// DefaultTiming is the timing used unless a Config overrides it. Raft's
// defaults (1 s heartbeat/election, 500 ms lease) are for WANs; on loopback
// half of that detects a dead leader in ~0.5-1 s. The lease stays close to
// the heartbeat timeout so a leader slowed by a busy disk does not step
// down needlessly (that showed up as NOT_LEADER churn under 64 writers).
// CommitTimeout stays at Raft's 50 ms: every idle leader sends an
// AppendEntries per follower that often, and at 5 ms an idle 3-node,
// 16-group cluster burnt half a CPU core.
func DefaultTiming() Timing {
	return Timing{
		HeartbeatTimeout:   500 * time.Millisecond,
		ElectionTimeout:    500 * time.Millisecond,
		LeaderLeaseTimeout: 400 * time.Millisecond,
		CommitTimeout:      50 * time.Millisecond,
		NodeHeartbeat:      100 * time.Millisecond,
		SuspectAfter:       700 * time.Millisecond,
		DeadAfter:          2 * time.Second,
		ExpireEvery:        200 * time.Millisecond,
		BalanceEvery:       500 * time.Millisecond,
	}
}

// Config describes one node.
type Config struct {
	Layout  topology.Layout
	NodeID  string
	DataDir string // this node's own directory (created if missing)
	Timing  Timing // zero: DefaultTiming()

	// Listeners, when set, are used instead of listening on the layout's
	// addresses (an embedded cluster binds free ports up front).
	ClientListener net.Listener
	RaftListener   net.Listener

	// Fsync makes every Raft log append durable against machine crashes.
	// Without it, appends reach the OS page cache only: they survive a
	// process crash (SIGKILL) but not a power loss, and writes are ~10x faster.
	Fsync bool

	// LogStore picks the Raft log engine; LogStoreAuto (zero) keeps what
	// DataDir holds and uses Pebble for a new one. Asking for the other
	// kind than DataDir holds is an error.
	LogStore LogStore

	// TLS secures the replication port (mutual TLS with a client CA); nil: plaintext.
	TLS *tlsconf.Set

	Faults    *transport.Faults // nil: no fault injection
	LogOutput io.Writer         // Raft logs at error level; nil discards them
	Version   string            // build version reported by NodeStatus
}

func (c *Config) validate() (topology.Node, error) {
	if err := c.Layout.Validate(); err != nil {
		return topology.Node{}, err
	}
	self, ok := c.Layout.NodeByID(c.NodeID)
	if !ok {
		return topology.Node{}, fmt.Errorf("node id %q is not one of the configured peers", c.NodeID)
	}
	if c.DataDir == "" {
		return topology.Node{}, fmt.Errorf("node %s needs a data directory", c.NodeID)
	}
	if c.Timing == (Timing{}) {
		c.Timing = DefaultTiming()
	}
	return self, nil
}
