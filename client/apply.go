package client

import (
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// viewSource says where a view came from.
type viewSource struct {
	// clusterID is the stream's x-norikv-cluster-id header ("" when the
	// server sends none).
	clusterID string
	// groups is the stream's x-norikv-groups header: our server's
	// replication group count (0 when the server sends none).
	groups int
	// replaced forces the view in as a new cluster: a stream without
	// cluster ids kept sending epochs below the current one for longer
	// than replacedAfter.
	replaced bool
	// addr is the node the view came from ("" when not known): a view of
	// another cluster is refused from an address that never was this
	// cluster's (see admitLocked).
	addr string
}

// applyView installs pb if it is newer than the current view, or if it comes
// from a different cluster (a replaced cluster starts over at low epochs).
// It refreshes the leader cache, drops connections to departed nodes and
// publishes the event. It reports whether the view was accepted; a view
// from another cluster's node is refused with an *OtherClusterError.
func (c *Client) applyView(pb *norikvpb.ClusterView, src viewSource) (bool, error) {
	c.m.viewsReceived.Add(1)
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	old := c.topo.Load()
	if err := c.admitLocked(old, src.addr, src.clusterID, pb); err != nil {
		c.m.viewsIgnored.Add(1)
		return false, err
	}
	if src.groups > 0 {
		// The cluster's group count, for the idempotency keys: taken
		// from a view not newer too (the probe's view may have come
		// without it; a stream's first view repeats it).
		c.sh().idem.setGroups(src.groups)
	}
	replaced := false
	if old != nil {
		switch {
		case src.clusterID != "" && old.clusterID != "" && src.clusterID != old.clusterID:
			replaced = true
		case src.replaced:
			replaced = true
		case pb.GetEpoch() <= old.view.Epoch:
			c.m.viewsIgnored.Add(1)
			return false, nil
		}
	}
	v := viewFromPB(pb)
	st := c.sh()
	if n := v.TotalShards(); c.cfg.AdoptShardCount && n > 0 && n != st.total {
		// The cluster has another count (restarted with other settings):
		// route by it, with a leader cache and idempotency keys for it.
		st = newShardState(n, c.idemPrefix)
		st.idem.setGroups(src.groups)
		c.shards.Store(st)
	}
	t := newTopology(v, st.total)
	t.clusterID = src.clusterID
	if t.clusterID == "" && old != nil && !replaced {
		t.clusterID = old.clusterID
	}
	t.view.ClusterID = t.clusterID
	t.received = time.Now()
	c.topo.Store(t)
	if replaced {
		// Nothing learned about the old cluster holds for the new one.
		c.m.clusterReplacements.Add(1)
		for i := range st.leaders {
			st.leaders[i].Store(nil)
		}
	}
	for shard, id := range t.leader {
		if id == "" {
			st.leaders[shard].Store(nil)
			continue
		}
		addr := t.addrByID[id]
		if cur := st.leaders[shard].Load(); cur != nil && cur.fromView && cur.id == id && cur.addr == addr {
			continue
		}
		st.leaders[shard].Store(&leaderEntry{id: id, addr: addr, fromView: true})
	}
	keep := make(map[string]bool, len(t.view.Nodes)+len(c.seeds))
	for s := range c.seeds {
		keep[s] = true
	}
	for _, n := range t.view.Nodes {
		if n.Addr != "" {
			keep[n.Addr] = true
		}
	}
	c.pool.Retain(keep)
	ev := diffViews(old, t)
	ev.Replaced = replaced
	ev.RoutedShards = st.total
	ev.ClusterID = t.clusterID
	c.subsMu.Lock()
	for s := range c.subs {
		s.push(ev)
	}
	c.subsMu.Unlock()
	return true, nil
}

// ClusterView returns the latest cluster view, or nil before the first one.
// Nodes[i].Unreachable is the client's own, current judgement (its last
// call to the node failed or timed out, or the connection is failing), so a
// node the server view calls "alive" but the client cannot reach shows as
// unreachable. The Shards are shared: do not modify the view.
func (c *Client) ClusterView() *ClusterView {
	t := c.topo.Load()
	if t == nil {
		return nil
	}
	v := *t.view
	v.Nodes = make([]ClusterNode, len(t.view.Nodes))
	for i, n := range t.view.Nodes {
		n.Unreachable = !c.reachable(n.Addr)
		v.Nodes[i] = n
	}
	return &v
}

// reprobeInterval is how often a node judged unreachable is asked again
// while someone looks (ClusterView, Stats), so a node that came back is
// shown reachable even if no request goes to it.
const reprobeInterval = time.Second

// reachable reports whether the client can reach addr as far as it knows.
func (c *Client) reachable(addr string) bool {
	if addr == "" {
		return false
	}
	n, ok := c.pool.Lookup(addr)
	if !ok || n.Reachable() {
		return true
	}
	if n.ClaimReprobe(reprobeInterval) {
		c.goBackground(func() { _ = c.fetchViewCtx(c.ctx, addr) })
	}
	return false
}
