package kvstore

import "github.com/norikv/norikv-console/server/topology"

func shardOf(key []byte, total int) uint32 { return topology.ShardOf(key, total) }
