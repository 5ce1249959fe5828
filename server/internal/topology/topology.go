// Package topology holds the static layout of a cluster: how keys map to
// shards (PROTOCOL.md §3), how shards map to replication groups, and which
// nodes replicate each group. Every node computes the same layout from the
// same configuration, so none of it needs to be replicated.
package topology

import (
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// ReplicationFactor is the number of replicas of a group (fewer on smaller clusters).
const ReplicationFactor = 3

// DefaultTotalShards is the shard count of a cluster started without one.
const DefaultTotalShards = 1024

// DefaultGroups is the replication group count of a cluster of nodes
// nodes started without one (at most its shards: StartCounts caps it):
// one group per node, so every node is the preferred leader of exactly
// one group (PreferredLeader) and replicates min(3, nodes) of them. On the
// project's 2-core machine, 3 groups on 3 nodes took 20% less CPU per
// durable Put than 6 and held a lower p99 at 64 writers (README "How many
// groups"). It was 16 until 2026-12-02 and 6 until 2026-12-03; data dirs
// keep the count they were created with.
func DefaultGroups(nodes int) int {
	return max(1, nodes)
}

// JumpHash is Lamping & Veach's jump consistent hash, computed in float64
// exactly as PROTOCOL.md §3 specifies so routing agrees across languages.
func JumpHash(key uint64, buckets int) int32 {
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int32(b)
}

// ShardOf returns the shard of a key (or vector namespace) among totalShards.
func ShardOf(key []byte, totalShards int) uint32 {
	return uint32(JumpHash(xxhash.Sum64(key), totalShards))
}

// Node is one member of the cluster as configured.
type Node struct {
	ID       string // "n1", "n2", ...
	Addr     string // client gRPC address host:port
	RaftAddr string // replication address host:port (one port for all groups)
}

// Layout is the static shape of a cluster. Nodes are in configuration order.
type Layout struct {
	TotalShards int
	Groups      int
	Nodes       []Node
}

// Validate reports what is wrong with a layout, if anything.
func (l Layout) Validate() error {
	if l.TotalShards < 1 || l.TotalShards > 1<<20 {
		return fmt.Errorf("total shards must be 1..1048576, got %d", l.TotalShards)
	}
	if l.Groups < 1 || l.Groups > l.TotalShards {
		return fmt.Errorf("groups must be 1..total shards (%d), got %d", l.TotalShards, l.Groups)
	}
	if len(l.Nodes) == 0 {
		return fmt.Errorf("a cluster needs at least one node")
	}
	seen := map[string]bool{}
	for _, n := range l.Nodes {
		if n.ID == "" || n.Addr == "" || n.RaftAddr == "" {
			return fmt.Errorf("node %q needs an id, a client address and a replication address", n.ID)
		}
		if seen[n.ID] {
			return fmt.Errorf("node id %q appears twice", n.ID)
		}
		seen[n.ID] = true
	}
	return nil
}

// GroupOfShard maps shards to groups in contiguous ranges: group g holds
// shards [g*S/G, (g+1)*S/G). With 1024 shards and 6 groups, 170 or 171 each.
func (l Layout) GroupOfShard(shard uint32) int {
	return int(uint64(shard) * uint64(l.Groups) / uint64(l.TotalShards))
}

// ShardsOfGroup returns the contiguous shard range [first, end) of group g.
func (l Layout) ShardsOfGroup(g int) (first, end uint32) {
	first = uint32((uint64(g)*uint64(l.TotalShards) + uint64(l.Groups) - 1) / uint64(l.Groups))
	end = uint32((uint64(g+1)*uint64(l.TotalShards) + uint64(l.Groups) - 1) / uint64(l.Groups))
	return first, end
}

// ReplicaCount is min(ReplicationFactor, nodes).
func (l Layout) ReplicaCount() int {
	return min(ReplicationFactor, len(l.Nodes))
}

// Replicas returns the nodes replicating group g: nodes g, g+1, g+2 (mod N).
// The first one is the group's preferred leader, which spreads leadership
// evenly: node i prefers groups i, i+N, i+2N, ...
func (l Layout) Replicas(g int) []Node {
	out := make([]Node, 0, l.ReplicaCount())
	for k := 0; k < l.ReplicaCount(); k++ {
		out = append(out, l.Nodes[(g+k)%len(l.Nodes)])
	}
	return out
}

// PreferredLeader is the node that leads group g when every node is up.
func (l Layout) PreferredLeader(g int) string {
	return l.Nodes[g%len(l.Nodes)].ID
}

// IsReplica reports whether node id replicates group g.
func (l Layout) IsReplica(g int, id string) bool {
	for _, n := range l.Replicas(g) {
		if n.ID == id {
			return true
		}
	}
	return false
}

// NodeByID finds a node by id.
func (l Layout) NodeByID(id string) (Node, bool) {
	for _, n := range l.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// NodeByRaftAddr finds a node by its replication address.
func (l Layout) NodeByRaftAddr(addr string) (Node, bool) {
	for _, n := range l.Nodes {
		if n.RaftAddr == addr {
			return n, true
		}
	}
	return Node{}, false
}

// MetaVoters is how many nodes vote in the metadata group (the first ones);
// the others follow it as non-voters so every node serves the same view.
func (l Layout) MetaVoters() int {
	return min(ReplicationFactor, len(l.Nodes))
}
