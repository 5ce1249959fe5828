package service

import (
	"sync"

	"github.com/norikv/norikv-console/proto/norikvpb"
	"github.com/norikv/norikv-console/server/internal/meta"
	"github.com/norikv/norikv-console/server/internal/topology"
)

// viewCache builds ClusterView messages from metadata, once per epoch.
type viewCache struct {
	layout topology.Layout
	mu     sync.Mutex
	epoch  uint64
	view   *norikvpb.ClusterView
}

// get returns the view of st; callers must not modify it.
func (c *viewCache) get(st meta.State) *norikvpb.ClusterView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view != nil && c.epoch == st.Epoch {
		return c.view
	}
	c.view, c.epoch = buildView(c.layout, st), st.Epoch
	return c.view
}

func buildView(l topology.Layout, st meta.State) *norikvpb.ClusterView {
	v := &norikvpb.ClusterView{Epoch: st.Epoch}
	for _, nd := range l.Nodes {
		role := st.Topology.Health[nd.ID]
		if role == "" {
			role = meta.Suspect // not judged yet (before the first topology record)
		}
		v.Nodes = append(v.Nodes, &norikvpb.ClusterNode{Id: nd.ID, Addr: nd.Addr, Role: role})
	}
	for g := 0; g < l.Groups; g++ {
		first, end := l.ShardsOfGroup(g)
		leader := st.Topology.Leaders[g]
		reps := l.Replicas(g)
		for s := first; s < end; s++ {
			info := &norikvpb.ShardInfo{Id: s}
			for _, r := range reps {
				info.Replicas = append(info.Replicas, &norikvpb.ShardReplica{NodeId: r.ID, Leader: r.ID == leader})
			}
			v.Shards = append(v.Shards, info)
		}
	}
	return v
}

// shardInfo returns one shard's entry of the view.
func shardInfo(v *norikvpb.ClusterView, shard uint32) *norikvpb.ShardInfo {
	if int(shard) < len(v.Shards) && v.Shards[shard].Id == shard {
		return v.Shards[shard]
	}
	for _, s := range v.Shards {
		if s.Id == shard {
			return s
		}
	}
	return &norikvpb.ShardInfo{Id: shard}
}
