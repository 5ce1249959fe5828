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
// generates keys whose own shard lies in the write's cell: the shards that
// are both in the write's block (the aligned run of idemBlock shards
// holding the write's shard) and in the write's group. Our server's groups
// are contiguous ranges: group = shard*Groups/TotalShards. Our server sends
// its group count in the WatchCluster header x-norikv-groups; until one
// arrives (other servers never send it) the cell is the block alone, which
// lies inside one group whenever the group count divides 64 with a
// power-of-two TotalShards (1024 by default), but not with 6 groups (the
// default now): 170 or 171 shards a group, so 4 of the 64 blocks straddle
// a group edge and ~2.8% of the keys would be claimed in the other group.
// A block meets at most 2 groups while groups <= TotalShards/16; with more
// (1024 shards, 256 groups: 4 shards a group) a block holds several groups
// and a cell is one of them. So a cell is the smaller of block and group,
// or the piece of a block on one side of a group edge. Keys are drawn in
// sequence; one that lands in another cell is kept for a later write
// there (a few per cell), so in steady state a key costs about one hash.
// Other servers just see unique keys.
//
// Matching the exact shard cost ~TotalShards draws per key when every
// write goes to one shard (a vector namespace's inserts all do):
// BenchmarkIdemKeys/one-shard measured ~150 µs a key, under the
// generator's lock. Matching a cell of 16 of 1024 shards takes ~64 (~6 µs
// a key); a piece of a block at a group edge (down to 1 shard with some
// counts, 2 with 7 groups, 5 with 6) takes TotalShards/its size, bounded by
// maxKeyTries: ~19 µs a key for a hot shard in a 5-shard piece. Uniform
// writes take ~0.25 µs a key with 6 groups as without groups.
const (
	// maxSpareKeys bounds the keys kept per cell (64-127 blocks, or one
	// per shard below 128 shards, plus one per group edge: a few KB to
	// 40 KB of keys, up to ~300 KB with as many groups as shards).
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

// cells is the number of cell indexes for total shards, block and groups.
func cells(total, block, groups int) int {
	n := (total + block - 1) / block
	if groups > 0 {
		n += groups - 1
	}
	return n
}

// cell is the index of shard's cell: its block plus its group (0 while the
// groups are unknown). Along the shards neither goes down and at each cell
// edge one of them goes up, so distinct cells get distinct indexes below
// cells(...).
func (k *idemKeys) cell(shard, groups int) int {
	c := shard / k.block
	if groups > 0 {
		c += int(uint64(shard) * uint64(groups) / uint64(k.total))
	}
	return c
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
