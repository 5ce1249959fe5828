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
// replicated entry, sequential: the write's latency grows). So the client
// generates keys whose own shard lies in the write's cell. Our server's
// groups are contiguous ranges (group = shard*Groups/TotalShards) and it
// sends its group count in the WatchCluster header x-norikv-groups: once
// known, the cell is the write's group itself (6 by default: ~6 draws a key,
// whatever the write's shard). Until then (other servers never send it) the
// cell is the write's block: the aligned run of idemBlock shards holding
// its shard, which lies inside one group whenever the group count divides
// 64 with a power-of-two TotalShards (1024 by default), but not with 6
// groups (170 or 171 shards a group: 4 of the 64 blocks straddle a group
// edge and ~2.8% of the keys would be claimed in the other group). Keys are
// drawn in sequence; one that lands in another cell is kept for a later
// write there (a few per cell), so in steady state a key costs about one
// hash. Other servers just see unique keys.
//
// Matching the exact shard cost ~TotalShards draws per key when every
// write goes to one shard (a vector namespace's inserts all do):
// BenchmarkIdemKeys/one-shard measured ~150 µs a key, under the
// generator's lock. Matching a block of 16 of 1024 shards takes ~64 (~6 µs
// a key), a group of 6 about 6; with as many groups as shards a cell is a
// shard again, bounded by maxKeyTries.
const (
	// maxSpareKeys bounds the keys kept per cell (64-127 blocks, or one
	// per shard below 128 shards, or one per group: a few KB to 40 KB of
	// keys, up to ~300 KB with as many groups as shards).
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
	// groups is the server's group count (x-norikv-groups), 0 while
	// unknown. Set by setGroups, read by next.
	groups atomic.Int64

	mu sync.Mutex
	// spare holds drawn keys by cell (see cell) for spareGroups groups:
	// when the group count changes, they are dropped, not handed out for
	// a cell they may no longer be in.
	spare       [][]string
	spareGroups int
}

func newIdemKeys(prefix string, totalShards int) *idemKeys {
	b := idemBlock(totalShards)
	return &idemKeys{prefix: prefix, total: totalShards, block: b, spare: make([][]string, cells(totalShards, b, 0))}
}

// setGroups sets the server's group count (<= 0: unknown, cells are
// blocks). Keys drawn afterwards use it; it may be called while others
// draw.
func (k *idemKeys) setGroups(groups int) {
	if groups < 0 {
		groups = 0
	}
	if groups > k.total {
		groups = k.total // more groups than shards: a group a shard, same cells
	}
	k.groups.Store(int64(groups))
}

// cells is the number of cells for total shards, block and groups.
func cells(total, block, groups int) int {
	if groups > 0 {
		return groups
	}
	return (total + block - 1) / block
}

// cell is the index of shard's cell: its group once the group count is
// known, its block until then (groups 0).
func (k *idemKeys) cell(shard, groups int) int {
	if groups > 0 {
		return int(uint64(shard) * uint64(groups) / uint64(k.total))
	}
	return shard / k.block
}

// fresh returns the next key in sequence, whatever its shard.
func (k *idemKeys) fresh() string {
	return k.prefix + strconv.FormatUint(k.seq.Add(1), 36)
}

// next returns a new key whose own shard is in shard's cell (when shard is
// valid and a match is found within maxKeyTries draws). Draws run under
// the lock, so a miss is kept (allocated) only when its cell has room.
func (k *idemKeys) next(shard int) string {
	if shard < 0 || shard >= k.total {
		return k.fresh()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	groups := int(k.groups.Load())
	if groups != k.spareGroups {
		k.spare, k.spareGroups = make([][]string, cells(k.total, k.block, groups)), groups
	}
	want := k.cell(shard, groups)
	if s := k.spare[want]; len(s) > 0 {
		key := s[len(s)-1]
		k.spare[want] = s[:len(s)-1]
		return key
	}
	buf := make([]byte, 0, len(k.prefix)+14)
	for i := 0; i < maxKeyTries; i++ {
		buf = strconv.AppendUint(append(buf[:0], k.prefix...), k.seq.Add(1), 36)
		c := k.cell(hashing.Shard(buf, k.total), groups)
		if c == want {
			return string(buf)
		}
		if len(k.spare[c]) < maxSpareKeys {
			k.spare[c] = append(k.spare[c], string(buf))
		}
	}
	return k.fresh()
}
