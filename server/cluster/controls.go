package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/norikv/norikv-console/server/internal/meta"
	"github.com/norikv/norikv-console/server/internal/node"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// Addrs returns the client gRPC addresses, in node order (n1, n2, ...).
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.layout.Nodes))
	for i, nd := range c.layout.Nodes {
		out[i] = nd.Addr
	}
	return out
}

// NodeIDs returns the node ids "n1", "n2", ... in order.
func (c *Cluster) NodeIDs() []string {
	out := make([]string, len(c.layout.Nodes))
	for i, nd := range c.layout.Nodes {
		out[i] = nd.ID
	}
	return out
}

// Addr returns a node's client address ("" for an unknown id).
func (c *Cluster) Addr(id string) string {
	nd, _ := c.layout.NodeByID(id)
	return nd.Addr
}

// Layout returns the cluster's static layout (shard -> group -> replicas).
func (c *Cluster) Layout() topology.Layout { return c.layout }

// DataDir is the directory holding every node's data.
func (c *Cluster) DataDir() string { return c.dataDir }

// KeptCounts names, as flags ("--groups 16"), the counts the cluster took
// from its data dir's record instead of the defaults (Options left them
// 0), "" when none.
func (c *Cluster) KeptCounts() string { return c.keptCounts }

// Running reports whether node id is running (not stopped by StopNode).
func (c *Cluster) Running(id string) bool { return c.running(id) != nil }

func (c *Cluster) running(id string) *member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.members[id]
}

func (c *Cluster) runningNodes() []*node.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*node.Node
	for _, nd := range c.layout.Nodes {
		if m := c.members[nd.ID]; m != nil {
			out = append(out, m.node)
		}
	}
	return out
}

// StopNode stops a node as a crash would look from outside: its gRPC and
// replication ports close. Its data stays for RestartNode.
func (c *Cluster) StopNode(id string) error {
	if _, ok := c.layout.NodeByID(id); !ok {
		return fmt.Errorf("stop node: unknown node id %q", id)
	}
	c.mu.Lock()
	m := c.members[id]
	delete(c.members, id)
	c.mu.Unlock()
	if m == nil {
		return fmt.Errorf("stop node %s: not running", id)
	}
	return m.stop()
}

// RestartNode starts a stopped node again on the same addresses, from its
// data, and waits until each of its groups knows a leader.
func (c *Cluster) RestartNode(ctx context.Context, id string) error {
	nd, ok := c.layout.NodeByID(id)
	if !ok {
		return fmt.Errorf("restart node: unknown node id %q", id)
	}
	if c.running(id) != nil {
		return fmt.Errorf("restart node %s: already running", id)
	}
	cl, err := listenRetry(ctx, nd.Addr)
	if err != nil {
		return fmt.Errorf("restart node %s: %w", id, err)
	}
	rl, err := listenRetry(ctx, nd.RaftAddr)
	if err != nil {
		_ = cl.Close()
		return fmt.Errorf("restart node %s: %w", id, err)
	}
	if err := c.startMember(id, cl, rl); err != nil {
		return fmt.Errorf("restart node %s: %w", id, err)
	}
	m := c.running(id)
	for !m.node.AllGroupsLed() {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("restart node %s: waiting for its groups to find leaders: %w", id, err)
		}
	}
	return nil
}

// listenRetry binds addr, retrying briefly while the old socket lingers.
func listenRetry(ctx context.Context, addr string) (net.Listener, error) {
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			return l, nil
		}
		if sleep(ctx, 50*time.Millisecond) != nil {
			return nil, fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// CutLink drops all replication traffic between nodes a and b (both ways),
// including heartbeats; client traffic is untouched.
func (c *Cluster) CutLink(a, b string) { c.faults.Cut(a, b) }

// HealLink restores the link between a and b.
func (c *Cluster) HealLink(a, b string) { c.faults.Heal(a, b) }

// HealAll restores every link.
func (c *Cluster) HealAll() { c.faults.HealAll() }

// LeaderOf returns the id of the node leading shard's group now ("" if none).
func (c *Cluster) LeaderOf(shard uint32) string {
	g := c.layout.GroupOfShard(shard)
	for _, n := range c.runningNodes() {
		if n.IsLeader(g) {
			return n.ID()
		}
	}
	return ""
}

// TransferShard moves the leadership of shard (its whole group) to target
// and waits until the cluster view shows it.
func (c *Cluster) TransferShard(ctx context.Context, shard uint32, target string) error {
	if int(shard) >= c.layout.TotalShards {
		return fmt.Errorf("transfer shard %d: no such shard (0..%d)", shard, c.layout.TotalShards-1)
	}
	g := c.layout.GroupOfShard(shard)
	if !c.layout.IsReplica(g, target) {
		return fmt.Errorf("transfer shard %d: node %q is not a replica", shard, target)
	}
	for {
		var err error = errors.New("no leader")
		for _, n := range c.runningNodes() {
			if n.IsLeader(g) {
				err = n.TransferGroup(ctx, g, target)
				break
			}
		}
		var nl *node.NotLeaderError
		if err == nil || !(errors.As(err, &nl) || err.Error() == "no leader") {
			if err != nil {
				return fmt.Errorf("transfer shard %d: %w", shard, err)
			}
			return nil
		}
		if sleep(ctx, 20*time.Millisecond) != nil {
			return fmt.Errorf("transfer shard %d: %w (last error: %v)", shard, ctx.Err(), err)
		}
	}
}

// WaitReady waits until every running node knows a leader for each group it
// replicates and its cluster view shows every group led, every running node
// alive, and each group led by its preferred node when that node runs.
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		ok, why := c.ready()
		if ok {
			return nil
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("wait for cluster ready (%s): %w", why, err)
		}
	}
}

func (c *Cluster) ready() (bool, string) {
	nodes := c.runningNodes()
	if len(nodes) == 0 {
		return false, "no node running"
	}
	up := map[string]bool{}
	for _, n := range nodes {
		up[n.ID()] = true
	}
	for _, n := range nodes {
		// The views below may be replayed from the log of an earlier run
		// (a restart with a data dir) before the groups have elected
		// anyone: each node's own Raft must know every leader too.
		if !n.AllGroupsLed() {
			return false, fmt.Sprintf("%s replicates a group that has no leader yet", n.ID())
		}
		st, _ := n.Meta()
		for id := range up {
			if st.Topology.Health[id] != meta.Alive {
				return false, fmt.Sprintf("%s sees %s as %q", n.ID(), id, st.Topology.Health[id])
			}
		}
		for g := 0; g < c.layout.Groups; g++ {
			leader, ok := st.Topology.Leaders[g]
			if !ok {
				return false, fmt.Sprintf("%s knows no leader for group %d", n.ID(), g)
			}
			pref, ok := st.Preferred[g]
			if !ok {
				pref = c.layout.PreferredLeader(g)
			}
			if up[pref] && leader != pref {
				return false, fmt.Sprintf("group %d led by %s, not yet by its preferred %s", g, leader, pref)
			}
		}
	}
	return true, ""
}
