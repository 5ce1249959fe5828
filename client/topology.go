package client

import (
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// ClusterNode is one node of a cluster view.
type ClusterNode struct {
	ID   string
	Addr string // client gRPC address
	Role string // health reported by the cluster: alive, suspect or dead
	// Unreachable is the client's own judgement, set by Client.ClusterView:
	// its last call to the node failed at the transport level or timed
	// out, or its connection is failing. The cluster may still call the
	// node alive (a stale view, or a node only this client cannot reach).
	Unreachable bool
}

// ShardReplica is one replica of a shard.
type ShardReplica struct {
	NodeID string
	Leader bool
}

// ShardInfo lists a shard's replicas.
type ShardInfo struct {
	ID       int
	Replicas []ShardReplica
}

// Leader returns the node id of the shard's leader, or "" when none is known.
func (s ShardInfo) Leader() string {
	for _, r := range s.Replicas {
		if r.Leader {
			return r.NodeID
		}
	}
	return ""
}

// ClusterView is one immutable snapshot of the cluster's topology. Treat it
// as read-only: the client shares it between callers.
type ClusterView struct {
	Epoch  uint64
	Nodes  []ClusterNode
	Shards []ShardInfo
	// ClusterID is the cluster's identity (x-norikv-cluster-id), "" when
	// the server does not send one.
	ClusterID string
}

// Node returns the node with id.
func (v *ClusterView) Node(id string) (ClusterNode, bool) {
	if v == nil {
		return ClusterNode{}, false
	}
	for _, n := range v.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return ClusterNode{}, false
}

func viewFromPB(pb *norikvpb.ClusterView) *ClusterView {
	v := &ClusterView{Epoch: pb.GetEpoch()}
	v.Nodes = make([]ClusterNode, 0, len(pb.GetNodes()))
	for _, n := range pb.GetNodes() {
		v.Nodes = append(v.Nodes, ClusterNode{ID: n.GetId(), Addr: n.GetAddr(), Role: n.GetRole()})
	}
	v.Shards = make([]ShardInfo, 0, len(pb.GetShards()))
	for _, s := range pb.GetShards() {
		v.Shards = append(v.Shards, shardInfoFromPB(s))
	}
	return v
}

func shardInfoFromPB(s *norikvpb.ShardInfo) ShardInfo {
	si := ShardInfo{ID: int(s.GetId()), Replicas: make([]ShardReplica, 0, len(s.GetReplicas()))}
	for _, r := range s.GetReplicas() {
		si.Replicas = append(si.Replicas, ShardReplica{NodeID: r.GetNodeId(), Leader: r.GetLeader()})
	}
	return si
}

// topology is the routing snapshot derived from one ClusterView. It is never
// mutated after construction and is swapped atomically as a whole.
type topology struct {
	view     *ClusterView
	addrByID map[string]string
	idByAddr map[string]string
	replicas [][]string // node ids per shard, indexed by shard id
	leader   []string   // leader node id per shard, "" when unknown
	// clusterID names the cluster the view came from ("" when unknown).
	clusterID string
	received  time.Time
}

func newTopology(v *ClusterView, totalShards int) *topology {
	t := &topology{
		view:     v,
		addrByID: make(map[string]string, len(v.Nodes)),
		idByAddr: make(map[string]string, len(v.Nodes)),
		replicas: make([][]string, totalShards),
		leader:   make([]string, totalShards),
	}
	for _, n := range v.Nodes {
		t.addrByID[n.ID] = n.Addr
		if n.Addr != "" {
			t.idByAddr[n.Addr] = n.ID
		}
	}
	for _, s := range v.Shards {
		if s.ID < 0 || s.ID >= totalShards {
			continue // a shard we cannot route to; keep it in the view only
		}
		ids := make([]string, 0, len(s.Replicas))
		for _, r := range s.Replicas {
			ids = append(ids, r.NodeID)
			if r.Leader {
				t.leader[s.ID] = r.NodeID
			}
		}
		t.replicas[s.ID] = ids
	}
	return t
}

// nodeAddrs returns the addresses of the view's nodes, alive ones first.
func (t *topology) nodeAddrs() []string {
	var alive, other []string
	for _, n := range t.view.Nodes {
		if n.Addr == "" {
			continue
		}
		if n.Role == "dead" || n.Role == "suspect" {
			other = append(other, n.Addr)
		} else {
			alive = append(alive, n.Addr)
		}
	}
	return append(alive, other...)
}

// leaderEntry is one cached shard leader. fromView is false when it was
// learned from a NOT_LEADER redirect rather than a cluster view.
type leaderEntry struct {
	id       string
	addr     string
	fromView bool
}

// Route describes where a key is routed.
type Route struct {
	// Hash is xxhash64 (seed 0) of the key.
	Hash uint64
	// Shard is the key's shard.
	Shard int
	// Replicas are the node ids replicating the shard (empty before the first view).
	Replicas []string
	// LeaderID and LeaderAddr name the cached leader ("" when unknown; the
	// id may be "" when only the address is known from a redirect).
	LeaderID   string
	LeaderAddr string
	// FromCache is true when the leader was learned from a NOT_LEADER
	// redirect and is newer than the current cluster view.
	FromCache bool
}
