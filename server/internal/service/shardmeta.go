package service

import (
	"maps"
	"strconv"
	"sync/atomic"
)

// shardMeta hands out the meta map of a Put or Get reply ("shard",
// "served_by"), one per shard, built on first use and then shared by
// every reply for that shard: building it per reply was a map and a
// string allocation on every request (about 3% of a node's allocated
// bytes at 64 writers). A shared map is only ever read (gRPC marshals
// it); a reply that adds a key gets a copy (withExpiry).
type shardMeta struct {
	servedBy string
	byShard  []atomic.Pointer[map[string]string]
}

func newShardMeta(totalShards int, servedBy string) *shardMeta {
	return &shardMeta{servedBy: servedBy, byShard: make([]atomic.Pointer[map[string]string], totalShards)}
}

// get returns the shared meta of shard; callers must not modify it.
func (m *shardMeta) get(shard uint32) map[string]string {
	if int(shard) >= len(m.byShard) { // not a shard of this layout: nothing to share
		return m.build(shard)
	}
	p := &m.byShard[shard]
	if mp := p.Load(); mp != nil {
		return *mp
	}
	meta := m.build(shard)
	p.CompareAndSwap(nil, &meta) // a racing builder's equal map may win; either is right
	return *p.Load()
}

func (m *shardMeta) build(shard uint32) map[string]string {
	return map[string]string{"shard": strconv.FormatUint(uint64(shard), 10), "served_by": m.servedBy}
}

// withExpiry returns shard's meta with expires_at_ms (unix ms) added, in
// a map of its own.
func (m *shardMeta) withExpiry(shard uint32, expiresAtMs int64) map[string]string {
	meta := make(map[string]string, 3)
	maps.Copy(meta, m.get(shard))
	meta["expires_at_ms"] = strconv.FormatInt(expiresAtMs, 10)
	return meta
}
