package node

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
)

// metaChannel is the replication channel of the metadata group; group g uses g+1.
const metaChannel = 0

// raftGroup is one Raft instance and its storage.
type raftGroup struct {
	raft      *raft.Raft
	store     groupStore
	transport *transport.GroupTransport

	// readyTerm is the term in which this leader has applied every entry of
	// earlier terms (a barrier), so local reads see all acknowledged writes.
	readyMu   sync.Mutex
	readyTerm uint64

	channel   uint32          // replication channel (group id + 1; 0 for metadata)
	voters    []topology.Node // the group's voting members
	lease     *leaseKeeper    // lease and batched quorum rounds (lease.go)
	lastNudge time.Time       // touched by the watchdog loop only (watchdog.go)
	calls     sync.WaitGroup  // a quorum round's calls to voters, which may outlive the round
}

type member struct {
	node    topology.Node
	nonvote bool
}

func (n *Node) openRaft(name string, channel uint32, fsm raft.FSM, members []member) (*raftGroup, error) {
	dir := filepath.Join(n.cfg.DataDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	t := n.cfg.Timing
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(n.self.ID)
	rc.HeartbeatTimeout = t.HeartbeatTimeout
	rc.ElectionTimeout = t.ElectionTimeout
	rc.LeaderLeaseTimeout = t.LeaderLeaseTimeout
	rc.CommitTimeout = t.CommitTimeout
	rc.SnapshotInterval = 30 * time.Second
	rc.SnapshotThreshold = 8192
	rc.TrailingLogs = 4096
	rc.BatchApplyCh = true
	// The leader's log write overlaps its followers' (server/third_party/raft,
	// README.NORIKV.md): a durable Put waits for about one fsync instead
	// of the leader's and then a follower's one after the other.
	rc.ReplicateBeforeLocalWrite = true
	// A leader applies small committed batches itself when the FSM
	// goroutine is idle: one goroutine hand-off fewer per commit
	// (README.NORIKV.md).
	rc.LeaderAppliesInline = true
	// A leader whose own log write hangs (a disk that stopped answering)
	// stops heartbeating after stuckWriteAfter, so its followers elect
	// another leader instead of waiting with it (README.NORIKV.md).
	rc.StuckWriteTimeout = stuckWriteAfter(t.HeartbeatTimeout)
	rc.NoLegacyTelemetry = true
	// Nothing reads Raft's go-metrics; skipping the per-Put ones saves
	// allocations, hence GC cycles, whose mark phases coincide with a
	// disproportionate share of the slowest Puts (README.NORIKV.md).
	rc.NoHotPathMetrics = true
	rc.Logger = n.logger.Named(name)

	store, err := n.openGroupStore(name, dir)
	if err != nil {
		return nil, fmt.Errorf("open raft log of %s: %w", name, err)
	}
	// A small cache: entries may carry 1 MiB values, and the groups add up.
	logs, err := raft.NewLogCache(128, store)
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("log cache of %s: %w", name, err)
	}
	var snaps raft.SnapshotStore
	snaps, err = raft.NewFileSnapshotStoreWithLogger(dir, 2, n.logger.Named(name+"-snap"))
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("snapshot store of %s: %w", name, err)
	}
	if n.raftLog != nil {
		snaps = reserveGuard{SnapshotStore: snaps, reserve: n.raftLog.ReserveErr} // storage.go
	}
	// Heartbeats of all groups travel coalesced per peer (transport/heartbeat.go).
	tr := n.mux.Coalesce(channel, raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream:                n.mux.Channel(channel),
		ServerAddressProvider: addressBook{n.cfg.Layout},
		MaxPool:               4,
		// No pipelining (fewer than 2 RPCs in flight): on loopback it buys
		// nothing, and a pipelined follower that stops answering can leave
		// raft's replication goroutine blocked forever, hanging Shutdown.
		MaxRPCsInFlight: 1,
		Timeout:         2 * time.Second,
		Logger:          n.logger.Named(name + "-net"),
		// AppendEntries in a binary codec instead of msgpack's reflection
		// (server/third_party/raft/README.NORIKV.md); older peers get msgpack.
		BinaryAppendEntries: true,
		NoHotPathMetrics:    true,
	}), addressBook{n.cfg.Layout}, 2*time.Second)
	existing, err := raft.HasExistingState(logs, store, snaps)
	if err != nil {
		_ = tr.Close()
		_ = store.Close()
		return nil, fmt.Errorf("inspect state of %s: %w", name, err)
	}
	// A voter without state whose peers already hold a cluster lost its
	// data: it must not vote before it has caught up (votehold.go). Held
	// until the peers answer.
	rc.HoldVoteUntilCaughtUp = n.holdVote(existing, isVoter(members, n.self.ID))
	// A voter with state restarted soon after it stopped may have promised
	// a leader its support (restarthold.go).
	if existing && isVoter(members, n.self.ID) {
		rc.HoldVoteUntil = n.restartHoldFor(name)
	}
	r, err := raft.NewRaft(rc, fsm, logs, store, snaps, tr)
	if err != nil {
		_ = tr.Close()
		_ = store.Close()
		return nil, fmt.Errorf("start raft %s: %w", name, err)
	}
	// Voters bootstrap with the full configuration; non-voters learn it
	// from the leader (raft refuses to bootstrap on a non-voter).
	if !existing && isVoter(members, n.self.ID) {
		var conf raft.Configuration
		for _, m := range members {
			s := raft.Server{ID: raft.ServerID(m.node.ID), Address: raft.ServerAddress(m.node.RaftAddr), Suffrage: raft.Voter}
			if m.nonvote {
				s.Suffrage = raft.Nonvoter
			}
			conf.Servers = append(conf.Servers, s)
		}
		if err := r.BootstrapCluster(conf).Error(); err != nil && err != raft.ErrCantBootstrap {
			_ = r.Shutdown().Error()
			_ = tr.Close()
			_ = store.Close()
			return nil, fmt.Errorf("bootstrap %s: %w", name, err)
		}
	}
	if rc.HoldVoteUntilCaughtUp {
		n.heldGroup(r)
	}
	n.holdIfFull(r) // storage.go
	rg := &raftGroup{raft: r, store: store, transport: tr, channel: channel, voters: voters(members)}
	rg.lease = newLeaseKeeper(t.HeartbeatTimeout, n.confirmRound(rg))
	return rg, nil
}

func (g *raftGroup) close() error {
	g.lease.close()
	g.calls.Wait()
	err := g.raft.Shutdown().Error()
	if cerr := g.transport.Close(); err == nil {
		err = cerr
	}
	if cerr := g.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// leaderReady makes sure this leader has applied all entries of previous
// terms before serving local reads in the current one, and returns that term.
func (g *raftGroup) leaderReady(timeout time.Duration) (uint64, error) {
	term := g.raft.CurrentTerm()
	if g.raft.State() != raft.Leader {
		return 0, raft.ErrNotLeader
	}
	g.readyMu.Lock()
	defer g.readyMu.Unlock()
	if g.readyTerm == term {
		return term, nil
	}
	if err := g.raft.Barrier(timeout).Error(); err != nil {
		return 0, err
	}
	g.readyTerm = term
	return term, nil
}

func newLogger(n *Node) hclog.Logger {
	if n.cfg.LogOutput == nil {
		return hclog.NewNullLogger()
	}
	return hclog.New(&hclog.LoggerOptions{Name: n.self.ID, Level: hclog.Error, Output: quietOnClose{n}})
}

// quietOnClose drops Raft's log lines once the node is stopping: closing
// connections under running groups logs errors that mean nothing then.
type quietOnClose struct{ n *Node }

func (q quietOnClose) Write(p []byte) (int, error) {
	if q.n.closing.Load() {
		return len(p), nil
	}
	if isStorageRefusal(p) && q.n.StorageError() != "" {
		return len(p), nil // said once by onSpace (storage.go), not per write Raft retries
	}
	return q.n.cfg.LogOutput.Write(p)
}

// addressBook resolves Raft server ids through the configured layout, so
// replication addresses stored in the Raft configuration may change between
// runs (an embedded cluster binds free ports each time).
type addressBook struct{ layout topology.Layout }

func (a addressBook) ServerAddr(id raft.ServerID) (raft.ServerAddress, error) {
	nd, ok := a.layout.NodeByID(string(id))
	if !ok {
		return "", fmt.Errorf("unknown raft server id %q", id)
	}
	return raft.ServerAddress(nd.RaftAddr), nil
}

// voters returns the members that vote.
func voters(members []member) []topology.Node {
	var out []topology.Node
	for _, m := range members {
		if !m.nonvote {
			out = append(out, m.node)
		}
	}
	return out
}

func isVoter(members []member, id string) bool {
	for _, m := range members {
		if m.node.ID == id {
			return !m.nonvote
		}
	}
	return false
}

// stuckWriteAfter is how long a leader's own log write may run before it
// stops heartbeating: two heartbeat timeouts, at least 2 s, so that a slow
// write on a busy machine does not move leaders (slow but steady syncs are
// syncwatch.go's: it hands the groups over at a p99 of a heartbeat timeout).
func stuckWriteAfter(heartbeat time.Duration) time.Duration { return max(2*heartbeat, 2*time.Second) }
