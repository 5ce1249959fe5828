// Package hashing maps keys to shards exactly as every NoriKV client does:
// xxhash64 with seed 0 over the key bytes, then Google's jump consistent hash
// computed in float64 (PROTOCOL.md §3). Any other formulation breaks
// cross-language routing, so this package is deliberately tiny and tested
// against the shared vectors.
package hashing

import "github.com/cespare/xxhash/v2"

// Hash returns xxhash64 (seed 0) of key.
func Hash(key []byte) uint64 { return xxhash.Sum64(key) }

// Jump returns the bucket in [0, buckets) for hash, using the jump consistent
// hash step in float64 arithmetic. buckets <= 0 yields 0.
func Jump(hash uint64, buckets int) int {
	if buckets <= 0 {
		return 0
	}
	var b, j int64 = -1, 0
	key := hash
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Shard returns the shard of key among totalShards shards.
func Shard(key []byte, totalShards int) int { return Jump(Hash(key), totalShards) }
