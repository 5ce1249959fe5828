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
// replicated entry). So the client generates keys whose own shard lies in
// the write's block: the aligned run of idemBlock shards holding the
// write's shard. Our server's groups are contiguous shard ranges of
// TotalShards/Groups shards, so with a power-of-two TotalShards (1024 by
// default) a block lies inside one group whenever the group count divides
// 64 (1, 2, 4, ... 64 groups; 16 by default);
// with other counts a key near a group edge is claimed like any other
// (correct, one more entry). Keys are drawn in sequence; one that lands in
// another block is kept for a later write there (a few per block), so in
// steady state a key costs about one hash. Other servers just see unique
// keys.
//
// Matching the exact shard cost ~TotalShards draws per key when every
// write goes to one shard (a vector namespace's inserts all do):
// BenchmarkIdemKeys/one-shard measured ~150 µs a key, under the
// generator's lock. Matching a block of 16 of 1024 shards takes ~64.
const (
	// maxSpareKeys bounds the keys kept per block (64-127 blocks, or one
	// per shard below 128 shards: a few KB to 40 KB of keys).
	maxSpareKeys = 8
	// maxKeyTries bounds the draws for one key; past it the key is used as
	// is (the server then claims it in its owning group).
	maxKeyTries = 16384
	// blocksPerRing is how many blocks the shards are split into (see
	// idemBlock).
	blocksPerRing = 64
)

// idemBlock is the width of a key block for totalShards: the largest power
// of two at most totalShards/blocksPerRing (1 below that, i.e. the exact
// shard). A power of two dividing TotalShards/64 keeps blocks aligned
// with every group range whose size is a multiple of it.
func idemBlock(totalShards int) int {
	b := 1
	for b*2 <= totalShards/blocksPerRing {
		b *= 2
	}
	return b
}

// idemKeys generates idempotency keys unique to one client instance.
type idemKeys struct {
	prefix string
	seq    atomic.Uint64
	total  int // shards
	block  int // shards per block (idemBlock)

	mu    sync.Mutex
	spare [][]string // by block
}

func newIdemKeys(prefix string, totalShards int) *idemKeys {
	b := idemBlock(totalShards)
	return &idemKeys{prefix: prefix, total: totalShards, block: b, spare: make([][]string, (totalShards+b-1)/b)}
}

// fresh returns the next key in sequence, whatever its shard.
func (k *idemKeys) fresh() string {
	return k.prefix + strconv.FormatUint(k.seq.Add(1), 36)
}

// next returns a new key whose own shard is in shard's block (when shard
// is valid and a match is found within maxKeyTries draws). Draws run under
// the lock, so a miss is kept (allocated) only when its block has room.
func (k *idemKeys) next(shard int) string {
	if shard < 0 || shard >= k.total {
		return k.fresh()
	}
	want := shard / k.block
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.spare[want]; len(s) > 0 {
		key := s[len(s)-1]
		k.spare[want] = s[:len(s)-1]
		return key
	}
	buf := make([]byte, 0, len(k.prefix)+14)
	for i := 0; i < maxKeyTries; i++ {
		buf = strconv.AppendUint(append(buf[:0], k.prefix...), k.seq.Add(1), 36)
		b := hashing.Shard(buf, k.total) / k.block
		if b == want {
			return string(buf)
		}
		if len(k.spare[b]) < maxSpareKeys {
			k.spare[b] = append(k.spare[b], string(buf))
		}
	}
	return k.fresh()
}
