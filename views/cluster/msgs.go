package cluster

import "github.com/norikv/norikv-console/client"

// shardRouteMsg answers a lookup of the client's leader cache for a shard,
// stamped with the request id so a stale answer is dropped.
type shardRouteMsg struct {
	reqID int
	shard int
	route client.Route
}
