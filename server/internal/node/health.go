package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/meta"
)

// controlRequest is a call between nodes over the replication port.
type controlRequest struct {
	Heartbeat *heartbeat      `json:"hb,omitempty"`
	Prefer    *meta.Prefer    `json:"prefer,omitempty"`
	Propose   *forwardPropose `json:"propose,omitempty"`
	Lease     *leaseCheck     `json:"lease,omitempty"`
	// ClusterID asks for the cluster id the node knows (votehold.go).
	ClusterID bool `json:"cluster_id,omitempty"`
	// Storage asks whether the node can write its Raft log (storage.go).
	Storage bool `json:"storage,omitempty"`
	// Syncs asks how long the node's Raft log syncs take (syncwatch.go).
	Syncs bool `json:"syncs,omitempty"`
	// Layout carries a starting node's shard and group counts and asks
	// for the answerer's (layoutpeers.go).
	Layout *layoutInfo `json:"layout,omitempty"`
	// GroupLog asks how far the node's log of the group on that
	// replication channel goes (votehold.go).
	GroupLog *uint32 `json:"group_log,omitempty"`
}

// heartbeat tells the metadata leader a node is up and which groups it leads.
type heartbeat struct {
	Node  string         `json:"node"`
	Leads map[int]uint64 `json:"leads"` // group -> term
}

type controlReply struct {
	Error     string `json:"error,omitempty"`
	NotLeader bool   `json:"not_leader,omitempty"`
	// Result answers a forwarded proposal.
	Result *kvstore.Result `json:"result,omitempty"`
	// Lease answers a leader's quorum round.
	Lease *leaseAnswer `json:"lease,omitempty"`
	// ClusterID answers a starting node's question ("" for none).
	ClusterID string `json:"cluster_id,omitempty"`
	// StorageError answers Storage: why the node cannot write its Raft
	// log, "" while it can.
	StorageError string `json:"storage_error,omitempty"`
	// Syncs answers Syncs (nil from older nodes).
	Syncs *syncSummary `json:"syncs,omitempty"`
	// Layout answers Layout (nil from older nodes).
	Layout *layoutInfo `json:"layout,omitempty"`
	// GroupLastIndex answers GroupLog: the last index of the node's log of
	// that group (nil while it is opening its groups or holds none there).
	GroupLastIndex *uint64 `json:"group_last_index,omitempty"`
}

// healthTracker runs on the metadata leader: it turns heartbeats into node
// health and group leaders, and proposes a topology record when they change.
type healthTracker struct {
	n        *Node
	mu       sync.Mutex
	lastSeen map[string]time.Time
	// steadySince is when a node's heartbeats resumed after a gap of
	// SuspectAfter or more; it counts as alive again RecoverAfter later.
	steadySince map[string]time.Time
	claims      map[string]map[int]uint64
	leaderSince time.Time
	lastTick    time.Time // the last proposeTopology run as metadata leader

	// The last heartbeat this node sent to a metadata leader elsewhere,
	// touched only by sendHeartbeat's goroutine: an unchanged one is
	// re-sent only every NodeHeartbeatIdle.
	sentTo    string
	sentLeads map[int]uint64
	sentAt    time.Time
	sent      atomic.Uint64 // heartbeats sent over the network (IdleWork)
}

func newHealthTracker(n *Node) *healthTracker {
	return &healthTracker{n: n, lastSeen: map[string]time.Time{}, steadySince: map[string]time.Time{}, claims: map[string]map[int]uint64{}}
}

func (h *healthTracker) record(hb heartbeat) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if last, ok := h.lastSeen[hb.Node]; ok && now.Sub(last) >= h.n.cfg.Timing.SuspectAfter {
		h.steadySince[hb.Node] = now
	}
	h.lastSeen[hb.Node] = now
	h.claims[hb.Node] = hb.Leads
}

// sendHeartbeat reports this node's leaderships to the metadata leader:
// at once when they or the metadata leader changed, else every
// NodeHeartbeatIdle (each heartbeat also says the node is alive).
func (n *Node) sendHeartbeat(ctx context.Context) {
	hb := heartbeat{Node: n.self.ID, Leads: map[int]uint64{}}
	for g, grp := range n.groups {
		if grp.rg.raft.State() == raft.Leader {
			hb.Leads[g] = grp.rg.raft.CurrentTerm()
		}
	}
	addr, id := n.metaLeader()
	h, t := n.health, n.cfg.Timing
	switch {
	case id == "":
		return
	case id == n.self.ID:
		h.record(hb)
		return
	case id == h.sentTo && maps.Equal(hb.Leads, h.sentLeads) && time.Since(h.sentAt) < t.NodeHeartbeatIdle-t.NodeHeartbeat/2:
		return
	}
	start := time.Now()
	h.sent.Add(1)
	ctx, cancel := context.WithTimeout(ctx, t.NodeHeartbeat*3)
	defer cancel()
	if _, err := n.call(ctx, addr, controlRequest{Heartbeat: &hb}); err != nil {
		h.sentTo = "" // again at the next tick
		return
	}
	h.sentTo, h.sentLeads, h.sentAt = id, hb.Leads, start
}

// metaLeader returns the metadata leader's id and replication address,
// resolved through the layout (addresses may change between runs).
func (n *Node) metaLeader() (addr, id string) {
	_, rid := n.meta.raft.LeaderWithID()
	nd, ok := n.cfg.Layout.NodeByID(string(rid))
	if !ok {
		return "", ""
	}
	return nd.RaftAddr, nd.ID
}

func (n *Node) call(ctx context.Context, addr string, req controlRequest) (controlReply, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return controlReply{}, err
	}
	resp, err := n.mux.Call(ctx, addr, b)
	if err != nil {
		return controlReply{}, err
	}
	var rep controlReply
	if err := json.Unmarshal(resp, &rep); err != nil {
		return controlReply{}, fmt.Errorf("decode control reply from %s: %w", addr, err)
	}
	return rep, nil
}

// handleControl serves control calls from other nodes.
func (n *Node) handleControl(from string, req []byte) []byte {
	var c controlRequest
	var rep controlReply
	if err := json.Unmarshal(req, &c); err != nil {
		rep.Error = "bad control request: " + err.Error()
	}
	if c.Heartbeat != nil {
		n.health.record(*c.Heartbeat)
	}
	if c.ClusterID {
		rep.ClusterID = n.knownClusterID()
	}
	if c.Storage {
		rep.StorageError = n.StorageError()
	}
	if c.Syncs {
		rep.Syncs = n.recentSyncs(time.Now())
	}
	if c.Layout != nil {
		rep.Layout = n.answerLayout(*c.Layout)
	}
	if c.GroupLog != nil && n.opened.Load() {
		if rg := n.raftGroupOn(*c.GroupLog); rg != nil {
			last := rg.raft.LastIndex()
			rep.GroupLastIndex = &last
		}
	}
	if !n.opened.Load() && (c.Prefer != nil || c.Propose != nil || c.Lease != nil) {
		// Still opening our groups: answer like a node that leads nothing.
		rep.NotLeader = true
		rep.Error = "node " + n.self.ID + " is starting"
		if c.Lease != nil {
			rep.Lease = &leaseAnswer{}
		}
		b, _ := json.Marshal(rep)
		return b
	}
	if c.Prefer != nil {
		if err := n.applyMeta(meta.Command{Prefer: c.Prefer}); err != nil {
			rep.Error = err.Error()
			rep.NotLeader = errors.Is(err, raft.ErrNotLeader)
		}
	}
	if c.Propose != nil {
		n.serveForward(c.Propose, &rep)
	}
	if c.Lease != nil {
		rep.Lease = n.answerLeaseCheck(c.Lease)
	}
	b, _ := json.Marshal(rep)
	return b
}

func (n *Node) applyMeta(c meta.Command) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f := n.meta.raft.Apply(b, 2*time.Second)
	if err := f.Error(); err != nil {
		return err
	}
	if err, ok := f.Response().(error); ok && err != nil {
		return err
	}
	return nil
}

// setPreferred records, through the metadata leader, who should lead group g.
func (n *Node) setPreferred(ctx context.Context, g int, nodeID string) error {
	cmd := meta.Command{Prefer: &meta.Prefer{Group: g, Node: nodeID}}
	for {
		addr, id := n.metaLeader()
		var err error
		switch {
		case id == "":
			err = errors.New("no metadata leader")
		case id == n.self.ID:
			err = n.applyMeta(cmd)
		default:
			var rep controlReply
			rep, err = n.call(ctx, addr, controlRequest{Prefer: cmd.Prefer})
			if err == nil && rep.Error != "" {
				err = errors.New(rep.Error)
			}
		}
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("record preferred leader of group %d: %w (last error: %v)", g, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// proposeTopology runs on every node but acts only on the metadata leader.
func (h *healthTracker) proposeTopology(ctx context.Context) {
	n := h.n
	if n.meta.raft.State() != raft.Leader {
		h.mu.Lock()
		h.leaderSince = time.Time{}
		h.mu.Unlock()
		return
	}
	now := time.Now()
	cur, _ := n.metaFSM.State()
	h.mu.Lock()
	stalled := !h.lastTick.IsZero() && now.Sub(h.lastTick) > n.cfg.Timing.SuspectAfter/2
	h.lastTick = now
	if h.leaderSince.IsZero() || stalled {
		// New metadata leader, or this one was stalled itself (its clock
		// ran on while it did not read heartbeats): give every node a
		// fresh grace period and collect a few rounds of heartbeats
		// before judging anything.
		h.leaderSince = now
		for _, nd := range n.cfg.Layout.Nodes {
			h.lastSeen[nd.ID] = now
		}
		h.steadySince = map[string]time.Time{}
		h.claims = map[string]map[int]uint64{}
	}
	// Every node sends to a new metadata leader at its next tick; wait
	// for a few, and at least for one idle period plus a tick.
	if t := n.cfg.Timing; now.Sub(h.leaderSince) < max(3*t.NodeHeartbeat, t.NodeHeartbeatIdle+t.NodeHeartbeat) {
		h.mu.Unlock()
		return
	}
	top := h.computeLocked(now, cur.Topology.Health)
	h.mu.Unlock()
	if cur.Epoch != 0 && cur.Topology.Equal(top) {
		return
	}
	_ = n.applyMeta(meta.Command{Topology: &top})
}

// computeLocked judges every node's health from its heartbeats, given the
// health the current topology shows (prev), and picks each group's leader.
func (h *healthTracker) computeLocked(now time.Time, prev map[string]string) meta.Topology {
	t := h.n.cfg.Timing
	top := meta.Topology{Health: map[string]string{}, Leaders: map[int]string{}}
	for _, nd := range h.n.cfg.Layout.Nodes {
		since := now.Sub(h.lastSeen[nd.ID])
		was := prev[nd.ID]
		switch {
		case since >= t.DeadAfter:
			top.Health[nd.ID] = meta.Dead
		case since >= t.SuspectAfter:
			top.Health[nd.ID] = meta.Suspect
		case was != "" && was != meta.Alive && now.Sub(h.steadySince[nd.ID]) < t.RecoverAfter:
			// Back after a gap: suspect until it has heartbeated steadily
			// for a while, so a node that keeps stalling does not flap.
			top.Health[nd.ID] = meta.Suspect
		default:
			top.Health[nd.ID] = meta.Alive
		}
	}
	terms := map[int]uint64{}
	for node, leads := range h.claims {
		if top.Health[node] == meta.Dead {
			continue
		}
		for g, term := range leads {
			if term > terms[g] {
				terms[g] = term
				top.Leaders[g] = node
			}
		}
	}
	return top
}
