package client

import (
	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client/internal/hashing"
)

// Test hooks for the external benchmarks that compare the client with the
// raw stub: the raw side must send what the client sends, over connections
// set up the same way, or the comparison measures the difference in work.

// DialOptionsForTest returns the dial options of the client's connections.
func (c *Client) DialOptionsForTest() []grpc.DialOption { return c.pool.DialOptions() }

// IdempotencyKeyForTest returns a new idempotency key for a write of key,
// drawn as the client draws its own (unique, hashing to the key's shard).
func (c *Client) IdempotencyKeyForTest(key []byte) string {
	return c.nextIdempotencyKey(hashing.Shard(key, c.sh().total))
}
