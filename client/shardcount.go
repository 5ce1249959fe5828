package client

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// ErrShardCount: the cluster has another number of shards than
// Config.TotalShards. Keys then hash to other shards on the client than on
// the servers: single-key calls still succeed (servers place keys by their
// own count; requests take a redirect more), but anything that names shards
// (Scan, ScanShard, shard numbers in results and traces) is wrong. Returned
// wrapped in a *ShardCountError.
var ErrShardCount = errors.New("norikv: shard count differs from the cluster's")

// ShardCountError says how many shards the client was configured for and
// how many the cluster has.
type ShardCountError struct {
	Configured int // Config.TotalShards
	Cluster    int // shards the cluster's view lists, or its servers name
}

func (e *ShardCountError) Error() string {
	return fmt.Sprintf("norikv: the cluster has %d shards but the client is configured for %d (Config.TotalShards): "+
		"keys hash to other shards than the servers use; set TotalShards to %d", e.Cluster, e.Configured, e.Cluster)
}

// Is makes the error match ErrShardCount.
func (e *ShardCountError) Is(target error) bool { return target == ErrShardCount }

// TotalShards is the number of shards the view describes: its shards are
// 0..TotalShards-1 (PROTOCOL §5 lists every shard). 0 for a view without
// shards.
func (v *ClusterView) TotalShards() int {
	if v == nil {
		return 0
	}
	n := 0
	for _, s := range v.Shards {
		n = max(n, s.ID+1)
	}
	return n
}

// CheckShardCount compares Config.TotalShards with the shard count of the
// latest cluster view. It returns a *ShardCountError (matching
// ErrShardCount) when they differ, and nil when they agree or no view has
// arrived yet.
func (c *Client) CheckShardCount() error {
	t := c.topo.Load()
	if t == nil {
		return nil
	}
	if n, total := t.view.TotalShards(), c.sh().total; n > 0 && n != total {
		return &ShardCountError{Configured: total, Cluster: n}
	}
	return nil
}

// serverShardRange matches the NotFound a server answers for a shard it
// does not have: "shard 256 not found: this cluster has shards 0..255".
var serverShardRange = regexp.MustCompile(`this cluster has shards 0\.\.(\d+)`)

// shardCountFromServer turns a server's "this cluster has shards 0..N"
// refusal into a *ShardCountError, or returns err unchanged.
func (c *Client) shardCountFromServer(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	m := serverShardRange.FindStringSubmatch(e.Message)
	if m == nil {
		return err
	}
	last, convErr := strconv.Atoi(m[1])
	total := c.sh().total
	if convErr != nil || last+1 == total {
		return err
	}
	return &ShardCountError{Configured: total, Cluster: last + 1}
}
