package client

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/consolepb"
)

// VectorIndexInfo describes one vector index (console extension).
type VectorIndexInfo struct {
	Namespace      string
	Dimensions     int
	Distance       DistanceFunction
	IndexType      VectorIndexType
	Count          uint64 // live vectors
	Bytes          uint64 // approximate memory held by the index
	Shard          int
	M              int // HNSW parameters (0 for brute force)
	EfConstruction int
	EfSearch       int
	ServedBy       string // node id that answered
	FromLeader     bool   // true when ServedBy leads the namespace's shard
}

// GroupStatus is one replication group as seen by a node.
type GroupStatus struct {
	GroupID      int
	State        string // leader, follower, candidate, shutdown
	Term         uint64
	CommitIndex  uint64
	AppliedIndex uint64
	LastLogIndex uint64
	LeaderID     string
	LastContact  time.Duration // since the leader was last heard; 0 on the leader
	Shards       []int
	Keys         uint64
	Peers        []string
	// Vector indexes of this replica (our server; 0 elsewhere).
	VectorIndexes int
	Vectors       uint64
	VectorBytes   uint64
	// VoteHeld: the node started without its data and neither votes nor
	// campaigns in this group until it has caught up (our server; false
	// elsewhere).
	VoteHeld bool
}

// NodeStatus is one node's self-description (console extension).
type NodeStatus struct {
	NodeID      string
	Addr        string // client gRPC address
	RaftAddr    string // replication address
	Uptime      time.Duration
	Groups      []GroupStatus
	Requests    map[string]uint64 // per RPC method
	Errors      map[string]uint64 // per gRPC code name
	Epoch       uint64
	TotalShards int
	TotalGroups int
	Version     string
	// MetaVoteHeld is VoteHeld for the metadata group.
	MetaVoteHeld bool
	// StorageError says why the node cannot write its Raft log (e.g. its
	// disk is full: "... no space left on device"); "" while it can. While
	// set the node leads no group and does not campaign.
	StorageError string
	// MetaCutOff says why the node's view of the cluster is not kept
	// current (it has not heard from the metadata group's leader for a
	// while: cut off from the cluster); "" while it is, and from servers
	// without the field.
	MetaCutOff string
}

// NodeStatusResult is one node's answer in NodeStatuses.
type NodeStatusResult struct {
	NodeID string // from the cluster view ("" for a seed not in the view)
	Addr   string
	Status *NodeStatus // nil when Err is set
	Err    error
}

// nodeTarget is one node to ask.
type nodeTarget struct{ id, addr string }

// allNodes lists the view's nodes, or the seeds before the first view.
func (c *Client) allNodes() []nodeTarget {
	var out []nodeTarget
	if t := c.topo.Load(); t != nil {
		for _, n := range t.view.Nodes {
			if n.Addr != "" {
				out = append(out, nodeTarget{n.ID, n.Addr})
			}
		}
	}
	if len(out) == 0 {
		for _, a := range c.cfg.Nodes {
			out = append(out, nodeTarget{addr: a})
		}
	}
	return out
}

// callNode sends one request to a fixed node: a single attempt, no
// redirects (the caller asked for that node's own answer).
func (c *Client) callNode(ctx context.Context, op opKind, addr string, fn attemptFunc) error {
	return c.invoke(ctx, &call{op: op, shard: -1, pinned: addr}, fn)
}

// ListVectorIndexes asks every node for the vector indexes it holds and
// returns one entry per namespace, preferring the shard leader's answer,
// sorted by namespace. Nodes that fail are skipped as long as one answers.
// A namespace that only replicas list while its shard's leader answered
// without it (a drop not yet applied everywhere) is left out.
func (c *Client) ListVectorIndexes(ctx context.Context) ([]VectorIndexInfo, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	nodes := c.allNodes()
	answers := make([][]*consolepb.VectorIndexInfo, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := &consolepb.ListVectorIndexesRequest{}
			errs[i] = c.callNode(ctx, opListVectorIndexes, n.addr, func(ctx context.Context, pn *pool.Node, co []grpc.CallOption) error {
				req.Consistency = ConsistencyStaleOK.wire(pn.AltVocab.Load())
				resp, err := pn.Console.ListVectorIndexes(ctx, req, co...)
				if err == nil {
					answers[i] = resp.GetIndexes()
				}
				return err
			})
		}()
	}
	wg.Wait()
	best := map[string]*consolepb.VectorIndexInfo{}
	ok := false
	for i := range nodes {
		if errs[i] != nil {
			continue
		}
		ok = true
		for _, ix := range answers[i] {
			cur, seen := best[ix.GetNamespace()]
			if !seen || (!cur.GetFromLeader() && ix.GetFromLeader()) {
				best[ix.GetNamespace()] = ix
			}
		}
	}
	if !ok {
		return nil, firstError(errs)
	}
	// An entry only replicas list, while the shard's leader answered without
	// it, is a replica that has not applied a drop yet: leave it out. The
	// leader's own list decides, whatever role it gave itself: in a failover
	// the node the view names leader may answer while it still sees itself
	// as a follower (every entry from_leader=false), and its entries stand.
	listed := map[string]map[string]bool{} // node id -> namespaces it listed
	for i, n := range nodes {
		if errs[i] == nil && n.id != "" {
			m := map[string]bool{}
			for _, ix := range answers[i] {
				m[ix.GetNamespace()] = true
			}
			listed[n.id] = m
		}
	}
	t := c.topo.Load()
	out := make([]VectorIndexInfo, 0, len(best))
	for ns, ix := range best {
		if !ix.GetFromLeader() && t != nil {
			shard := nsShard(ns, c.sh().total)
			if shard < len(t.leader) && t.leader[shard] != "" {
				if own, answered := listed[t.leader[shard]]; answered && !own[ns] {
					continue
				}
			}
		}
		out = append(out, vectorIndexInfoFromPB(ix))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out, nil
}

// firstError prefers an ErrUnsupported error (the honest "not available"),
// else returns the first error.
func firstError(errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if errors.Is(err, ErrUnsupported) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

func vectorIndexInfoFromPB(ix *consolepb.VectorIndexInfo) VectorIndexInfo {
	return VectorIndexInfo{
		Namespace:      ix.GetNamespace(),
		Dimensions:     int(ix.GetDimensions()),
		Distance:       DistanceFunction(ix.GetDistance()),
		IndexType:      VectorIndexType(ix.GetIndexType()),
		Count:          ix.GetCount(),
		Bytes:          ix.GetBytes(),
		Shard:          int(ix.GetShard()),
		M:              int(ix.GetM()),
		EfConstruction: int(ix.GetEfConstruction()),
		EfSearch:       int(ix.GetEfSearch()),
		ServedBy:       ix.GetServedBy(),
		FromLeader:     ix.GetFromLeader(),
	}
}

// NodeStatus asks one node, named by node id (resolved through the cluster
// view) or by address, for its status.
func (c *Client) NodeStatus(ctx context.Context, node string) (*NodeStatus, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if node == "" {
		return nil, invalidArg("node status", "node is empty: give a node id or host:port")
	}
	addr := node
	if t := c.topo.Load(); t != nil {
		if a, ok := t.addrByID[node]; ok && a != "" {
			addr = a
		}
	}
	if id, a := c.resolveHint(addr); a == "" && id == "" {
		return nil, invalidArg("node status", "unknown node %q: give a node id from the cluster view or host:port", node)
	}
	return c.nodeStatusAt(ctx, addr)
}

func (c *Client) nodeStatusAt(ctx context.Context, addr string) (*NodeStatus, error) {
	var resp *consolepb.NodeStatusResponse
	err := c.callNode(ctx, opNodeStatus, addr, func(ctx context.Context, n *pool.Node, co []grpc.CallOption) error {
		var err error
		resp, err = n.Console.NodeStatus(ctx, &consolepb.NodeStatusRequest{}, co...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return nodeStatusFromPB(resp), nil
}

// NodeStatuses asks every node of the current view (the seeds before the
// first view) in parallel and returns one result per node, in view order. It
// fails only when no node answered, with ErrUnsupported when none has the
// console extension.
func (c *Client) NodeStatuses(ctx context.Context) ([]NodeStatusResult, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	nodes := c.allNodes()
	out := make([]NodeStatusResult, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		out[i] = NodeStatusResult{NodeID: n.id, Addr: n.addr}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Status, out[i].Err = c.nodeStatusAt(ctx, n.addr)
		}()
	}
	wg.Wait()
	errs := make([]error, len(out))
	for i, r := range out {
		if r.Err == nil {
			return out, nil
		}
		errs[i] = r.Err
	}
	return out, firstError(errs)
}

func nodeStatusFromPB(r *consolepb.NodeStatusResponse) *NodeStatus {
	ns := &NodeStatus{
		NodeID:       r.GetNodeId(),
		Addr:         r.GetAddr(),
		RaftAddr:     r.GetRaftAddr(),
		Uptime:       time.Duration(r.GetUptimeMs()) * time.Millisecond,
		Requests:     r.GetRequests(),
		Errors:       r.GetErrors(),
		Epoch:        r.GetEpoch(),
		TotalShards:  int(r.GetTotalShards()),
		TotalGroups:  int(r.GetTotalGroups()),
		Version:      r.GetVersion(),
		MetaVoteHeld: r.GetMetaVoteHeld(),
		StorageError: r.GetStorageError(),
		MetaCutOff:   r.GetMetaCutOff(),
	}
	for _, g := range r.GetGroups() {
		gs := GroupStatus{
			GroupID:       int(g.GetGroupId()),
			State:         g.GetState(),
			Term:          g.GetTerm(),
			CommitIndex:   g.GetCommitIndex(),
			AppliedIndex:  g.GetAppliedIndex(),
			LastLogIndex:  g.GetLastLogIndex(),
			LeaderID:      g.GetLeaderId(),
			LastContact:   time.Duration(g.GetLastContactMs()) * time.Millisecond,
			Keys:          g.GetKeys(),
			VectorIndexes: int(g.GetVectorIndexes()),
			Vectors:       g.GetVectors(),
			VectorBytes:   g.GetVectorBytes(),
			Peers:         g.GetPeers(),
			VoteHeld:      g.GetVoteHeld(),
		}
		for _, s := range g.GetShards() {
			gs.Shards = append(gs.Shards, int(s))
		}
		ns.Groups = append(ns.Groups, gs)
	}
	return ns
}
