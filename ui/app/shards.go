package app

import (
	"context"
	"fmt"
	"time"

	"github.com/norikv/norikv-console/client"
)

// shardsProbeTimeout bounds asking an external cluster for its shard count
// at start; a cluster that does not answer by then is connected to with the
// configured count, as before.
const shardsProbeTimeout = 1500 * time.Millisecond

// checkShards asks the cluster how many shards it has. Without --shards or
// a profile's total_shards the default 1024 is a guess, so the cluster's
// count replaces it; a count the user chose that differs is kept but said
// at start as an error: keys would hash to other shards than the servers
// use, and key listings fail.
func (sess *Session) checkShards(ctx context.Context, s Settings) Settings {
	cfg, err := ClientConfig(s)
	if err != nil {
		return s // ClientConfig fails again for the real client and says why
	}
	c, err := client.New(cfg)
	if err != nil {
		return s
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, shardsProbeTimeout)
	defer cancel()
	if c.Connect(ctx) != nil {
		return s
	}
	// The view's count, not CheckShardCount: a client without a count of
	// the user's adopts the cluster's at its first view.
	sce := client.ShardCountError{Configured: s.TotalShards, Cluster: c.ClusterView().TotalShards()}
	if sce.Cluster == 0 || sce.Cluster == sce.Configured {
		return s
	}
	if s.ShardsFrom == "" {
		sess.Notice = fmt.Sprintf("the cluster has %d shards: using %d (not the default %d)", sce.Cluster, sce.Cluster, sce.Configured)
		s.TotalShards, s.ShardsFrom = sce.Cluster, "the cluster"
		return s
	}
	sess.Notice = fmt.Sprintf("%s is %d, but the cluster has %d shards: keys hash to other shards than the servers use "+
		"and key listings fail; restart with --shards %d", s.ShardsFrom, sce.Configured, sce.Cluster, sce.Cluster)
	sess.NoticeIsError = true
	return s
}
