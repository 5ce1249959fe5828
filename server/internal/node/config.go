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

// Timing holds the Raft and health timeouts. The defaults keep a cluster
// calm on a busy machine (stalls of up to ~0.8 s cause no election and no
// health flap) while a dead leader is still replaced in about 1.5 s.
type Timing struct {
	HeartbeatTimeout   time.Duration // Raft: follower waits this long without contact before an election (and bounds lease reads)
	ElectionTimeout    time.Duration // Raft: candidate waits this long before a new election
	LeaderLeaseTimeout time.Duration // Raft: leader steps down after this long without a quorum (at most HeartbeatTimeout)
	CommitTimeout      time.Duration // Raft: idle leaders re-send the commit index this often (followers' stale reads lag by up to this)
	NodeHeartbeat      time.Duration // the node's clock: leadership changes reach the metadata leader within one (loops.go)
	NodeHeartbeatIdle  time.Duration // an unchanged node heartbeat is re-sent this often (it also says the node is alive)
	SuspectAfter       time.Duration // no heartbeat for this long: suspect
	DeadAfter          time.Duration // no heartbeat for this long: dead
	RecoverAfter       time.Duration // a suspect or dead node is alive again after heartbeating steadily this long
	ExpireEvery        time.Duration // leader scans for expired keys this often
	BalanceEvery       time.Duration // leader checks preferred leadership this often
}

// DefaultTiming is the timing used unless a Config overrides it.
//
// Raft timeouts are etcd's (1 s election; Raft heartbeats go out every
// 100-200 ms, a tenth to a fifth of the heartbeat timeout): with 500 ms a
// process stalled for half a second by a busy machine lost its leaderships,
// and each election is a new epoch. Pre-vote (on by default in
// hashicorp/raft v1.7) keeps a stalled follower from disrupting the others
// when it wakes up. LeaderLeaseTimeout equals the heartbeat timeout (Raft's
// maximum) so a leader that stalled for less does not step down; reads do
// not depend on it (lease.go). CommitTimeout is 500 ms: an idle leader
// re-sends the commit index to each follower that often, which is all an
// idle group costs besides heartbeats; only followers' stale reads wait
// for it. Health has hysteresis: a node turns suspect after 1.5 s without
// heartbeats (a stall shorter than that is not a flap, and each flap is an
// epoch) and alive again only after 2 s of steady heartbeats.
//
// The periodic work is paced for an idle cluster's CPU (loops.go): the
// node's clock ticks every 130 ms; a node reports a change of its
// leaderships at the next tick and otherwise re-sends its heartbeat every
// 260 ms (a stall of 0.8 s plus that stays well under the 1.5 s of
// SuspectAfter).
func DefaultTiming() Timing {
	return Timing{
		HeartbeatTimeout:   1200 * time.Millisecond,
		ElectionTimeout:    1200 * time.Millisecond,
		LeaderLeaseTimeout: 1190 * time.Millisecond,
		CommitTimeout:      500 * time.Millisecond,
		NodeHeartbeat:      130 * time.Millisecond,
		NodeHeartbeatIdle:  260 * time.Millisecond,
		SuspectAfter:       1500 * time.Millisecond,
		DeadAfter:          3 * time.Second,
		RecoverAfter:       2 * time.Second,
		ExpireEvery:        260 * time.Millisecond,
		BalanceEvery:       520 * time.Millisecond,
	}
}

// heartbeatGrid is the step of the grid coalesced Raft heartbeats are
// flushed on (transport/heartbeat.go): a little over a tenth of the
// heartbeat timeout, so Raft's heartbeat goroutines, which sleep a tenth
// to a fifth of it after each answer, wake before the next beat (two
// steps) and stay on it. 130 ms by default, as NodeHeartbeat, so the
// node's clock ticks on the same instants.
func (t Timing) heartbeatGrid() time.Duration {
	return t.HeartbeatTimeout * 13 / 120
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

	// NoVoteHold lets a node that starts without data vote at once even
	// when its peers already hold a cluster (votehold.go): only to bring
	// back a group most of whose voters lost their data.
	NoVoteHold bool

	// MinFreeBytes is the free space the Raft log engine keeps on its disk:
	// below it the node takes no log entries, leads no group and does not
	// campaign until twice as much is free (storage.go). 0:
	// raftlog.DefaultMinFree (32 MiB).
	MinFreeBytes uint64

	// MaxClientConns caps the client connections open at once, so that a
	// client leaking connections cannot take the descriptors the node needs
	// for its Raft logs and peers (clientconns.go). 0: the open-file limit
	// less what the node keeps for itself (connlimit.Default); negative: no
	// cap.
	MaxClientConns int

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
