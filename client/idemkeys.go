package client

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/norikv/norikv-console/client/internal/hashing"
)

// Generated idempotency keys are routed like keys: our server keeps each
// idempotency key's record in the replication group of the key's own shard,
// and a write to another group must first claim the key there (one more
// replicated entry). So the client generates keys that hash to the write's
// own shard. Keys are drawn in sequence; one that lands on another shard is
// kept for a later write there (a few per shard), so in steady state a key
// costs about one hash. Other servers just see unique keys.
const (
	// maxSpareKeys bounds the keys kept per shard (8 x 1024 shards: about
	// 300 KB of keys at most).
	maxSpareKeys = 8
	// maxKeyTries bounds the draws for one key; past it the key is used as
	// is (the server then claims it in its owning group).
	maxKeyTries = 16384
)

// idemKeys generates idempotency keys unique to one client instance.
type idemKeys struct {
	prefix string
	seq    atomic.Uint64
	total  int // shards

	mu    sync.Mutex
	spare [][]string // by shard
}

func newIdemKeys(prefix string, totalShards int) *idemKeys {
	return &idemKeys{prefix: prefix, total: totalShards, spare: make([][]string, totalShards)}
}

// fresh returns the next key in sequence, whatever its shard.
func (k *idemKeys) fresh() string {
	return k.prefix + strconv.FormatUint(k.seq.Add(1), 36)
}

// next returns a new key whose own shard is shard (when shard is valid and
// a match is found within maxKeyTries draws). Draws run under the lock, so
// a miss is kept (allocated) only when its shard has room.
func (k *idemKeys) next(shard int) string {
	if shard < 0 || shard >= k.total {
		return k.fresh()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.spare[shard]; len(s) > 0 {
		key := s[len(s)-1]
		k.spare[shard] = s[:len(s)-1]
		return key
	}
	buf := make([]byte, 0, len(k.prefix)+14)
	for i := 0; i < maxKeyTries; i++ {
		buf = strconv.AppendUint(append(buf[:0], k.prefix...), k.seq.Add(1), 36)
		s := hashing.Shard(buf, k.total)
		if s == shard {
			return string(buf)
		}
		if len(k.spare[s]) < maxSpareKeys {
			k.spare[s] = append(k.spare[s], string(buf))
		}
	}
	return k.fresh()
}
