package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/connlimit"
	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/meta"
	"github.com/norikv/norikv-console/server/internal/raftlog"
	"github.com/norikv/norikv-console/server/internal/topology"
	"github.com/norikv/norikv-console/server/internal/transport"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// Node is one running cluster member.
type Node struct {
	cfg     Config
	self    topology.Node
	logger  hclog.Logger
	mux     *transport.Mux
	started time.Time

	clientLn net.Listener
	// clientConns is clientLn's cap of client connections (clientconns.go).
	clientConns *connlimit.Listener

	metaFSM *meta.FSM
	meta    *raftGroup
	groups  map[int]*Group // only the groups this node replicates

	health *healthTracker
	probe  peerProbe // did the peers hold a cluster when this node started without data (votehold.go)
	// layoutPeers: do the peers run this node's --shards and --groups (layoutpeers.go)
	layoutPeers layoutPeers

	alive       *aliveNoter // notes that this node runs (restarthold.go); nil without a boot clock
	restartHold restartHoldState

	logStore    LogStore     // settled by openLogStores
	raftLog     *raftlog.DB  // the shared Raft log engine when logStore is LogStorePebble
	storage     storageState // can the Raft log be written (storage.go)
	syncs       syncWatch    // how long the Raft log's syncs take (syncwatch.go)
	metaContact metaContact  // cut off from the metadata leader (metacontact.go)

	cancel context.CancelFunc
	wg     sync.WaitGroup

	// opened is set once every group is open: control calls that reach a
	// group (forwarded proposals, lease checks, preferences) arrive on the
	// replication port before that and must not read groups or meta then.
	opened    atomic.Bool
	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Group is one replication group held by this node.
type Group struct {
	ID  int
	FSM *kvstore.FSM
	// Vectors holds the group's vector indexes (the FSM's extension).
	Vectors *vectorstore.Store
	rg      *raftGroup

	// Touched only by the balance loop.
	lastBalance time.Time
	leaderTerm  uint64
	leaderSince time.Time
}

// Start opens the node's storage and replication port, starts every Raft
// group it replicates and its background loops. It does not wait for leaders.
func Start(cfg Config) (*Node, error) {
	self, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("node config: %w", err)
	}
	n := &Node{cfg: cfg, self: self, started: time.Now(), groups: map[int]*Group{}}
	n.logger = newLogger(n)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	n.layoutPeers.fresh = !layoutMarkerRecorded(cfg.DataDir)
	if err := checkDataDirLayout(cfg.DataDir, cfg.Layout); err != nil {
		return nil, err
	}
	if n.alive, n.restartHold.until, n.restartHold.why, err = openAliveNote(cfg.DataDir, cfg.Timing.HeartbeatTimeout, n.started); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	n.logRestartWithoutHold() // restarthold.go
	raftLn := cfg.RaftListener
	if raftLn == nil {
		if raftLn, err = net.Listen("tcp", self.RaftAddr); err != nil {
			return nil, fmt.Errorf("listen for replication on %s: %w", self.RaftAddr, err)
		}
	}
	n.clientLn = cfg.ClientListener
	if n.clientLn == nil {
		if n.clientLn, err = net.Listen("tcp", self.Addr); err != nil {
			_ = raftLn.Close()
			return nil, fmt.Errorf("listen for clients on %s: %w", self.Addr, err)
		}
	}
	n.capClientConns()
	resolve := func(addr string) (string, bool) {
		nd, ok := cfg.Layout.NodeByRaftAddr(addr)
		return nd.ID, ok
	}
	n.mux = transport.NewWithTLS(self.ID, raftLn, resolve, cfg.Faults, cfg.TLS.ServerConfig(), cfg.TLS.PeerConfig())
	n.mux.SetHeartbeatGrid(cfg.Timing.heartbeatGrid())
	n.health = newHealthTracker(n)
	n.mux.HandleControl(n.handleControl)
	// The peers are asked for their counts while the log stores open; no
	// group opens before they answered or were asked once (layoutpeers.go).
	layoutChecked := make(chan error, 1)
	go func() { layoutChecked <- n.checkPeerLayouts() }()
	err = n.openLogStores()
	if lerr := <-layoutChecked; lerr != nil {
		_ = n.Close()
		// The marker was written by this start: take it away, so the same
		// dir can be started again with the peers' counts.
		_ = os.Remove(filepath.Join(cfg.DataDir, layoutMarker))
		return nil, lerr
	}
	if err != nil {
		_ = n.Close()
		return nil, err
	}
	if err := n.openGroups(); err != nil {
		_ = n.Close()
		return nil, err
	}
	n.opened.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.startLoops(ctx) // loops.go
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.pushMetaCommits(ctx) // faststart.go
	}()
	return n, nil
}

func (n *Node) openGroups() error {
	l := n.cfg.Layout
	var members []member
	for i, nd := range l.Nodes {
		members = append(members, member{node: nd, nonvote: i >= l.MetaVoters()})
	}
	n.metaFSM = meta.NewFSM()
	var err error
	if n.meta, err = n.openRaft("meta", metaChannel, n.metaFSM, members); err != nil {
		return err
	}
	for g := 0; g < l.Groups; g++ {
		if !l.IsReplica(g, n.self.ID) {
			continue
		}
		members = members[:0]
		for _, nd := range l.Replicas(g) {
			members = append(members, member{node: nd})
		}
		vs := vectorstore.New()
		fsm := kvstore.New(kvstore.Options{TotalShards: l.TotalShards, Extension: vs})
		rg, err := n.openRaft("group-"+strconv.Itoa(g), uint32(g+1), fsm, members)
		if err != nil {
			return err
		}
		n.groups[g] = &Group{ID: g, FSM: fsm, Vectors: vs, rg: rg}
	}
	return nil
}

// Close stops the background loops and every Raft group, then the
// replication port. The client listener is closed by the gRPC server.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.closing.Store(true)
		n.stopProbe()       // votehold.go
		n.stopLayoutCheck() // layoutpeers.go
		if n.cancel != nil {
			n.cancel()
		}
		n.wg.Wait()
		var errs []error
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, g := range n.groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.rg.close(); err != nil && !errors.Is(err, raft.ErrRaftShutdown) {
					mu.Lock()
					errs = append(errs, fmt.Errorf("close group %d: %w", g.ID, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for _, g := range n.groups {
			if g.Vectors != nil {
				g.Vectors.Close() // stop background HNSW indexers; nothing applies any more
			}
		}
		if n.meta != nil {
			if err := n.meta.close(); err != nil {
				errs = append(errs, fmt.Errorf("close metadata group: %w", err))
			}
		}
		if err := n.closeLogStores(); err != nil {
			errs = append(errs, err)
		}
		if n.mux != nil {
			_ = n.mux.Close()
		}
		n.alive.close() // restarthold.go: the last note, once no peer can hear from this node
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}

// ID is this node's id.
func (n *Node) ID() string { return n.self.ID }

// Self is this node's configured identity and addresses.
func (n *Node) Self() topology.Node { return n.self }

// Layout is the cluster's static layout.
func (n *Node) Layout() topology.Layout { return n.cfg.Layout }

// ClientListener is the listener the gRPC services should serve on.
func (n *Node) ClientListener() net.Listener { return n.clientLn }

// Uptime is how long this node has run.
func (n *Node) Uptime() time.Duration { return time.Since(n.started) }

// Version is the build version reported by NodeStatus.
func (n *Node) Version() string { return n.cfg.Version }

// Group returns the local replica of group g, or nil if this node does not hold it.
func (n *Node) Group(g int) *Group { return n.groups[g] }

// Groups returns the local groups in id order.
func (n *Node) Groups() []*Group {
	out := make([]*Group, 0, len(n.groups))
	for g := 0; g < n.cfg.Layout.Groups; g++ {
		if grp := n.groups[g]; grp != nil {
			out = append(out, grp)
		}
	}
	return out
}

// Meta returns the replicated metadata and a channel closed at its next epoch change.
func (n *Node) Meta() (meta.State, <-chan struct{}) { return n.metaFSM.State() }
