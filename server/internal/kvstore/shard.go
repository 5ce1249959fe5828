package kvstore

import "github.com/norikv/norikv-console/server/internal/topology"

func shardOf(key []byte, total int) uint32 { return topology.ShardOf(key, total) }
