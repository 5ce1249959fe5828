package client

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/norikv/norikv-console/client/internal/hashing"
)

func TestIdemKeysMatchTheirBlockAndNeverRepeat(t *testing.T) {
	k := newIdemKeys("t-", 1024)
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < 2000; i++ {
				shard := rng.IntN(1024)
				if w == 3 {
					shard = 7 // one hot shard: every key drawn for it
				}
				key := k.next(shard)
				if got := hashing.Shard([]byte(key), 1024); got/16 != shard/16 {
					t.Errorf("key %q is in shard %d, outside the block of %d (16 shards)", key, got, shard)
					return
				}
				mu.Lock()
				if seen[key] {
					t.Errorf("key %q handed out twice", key)
				}
				seen[key] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for s, keys := range k.spare {
		if len(keys) > maxSpareKeys {
			t.Fatalf("block %d keeps %d spare keys, bound is %d", s, len(keys), maxSpareKeys)
		}
	}
	if key := k.next(-1); key == "" || seen[key] {
		t.Fatalf("key for no shard: %q", key)
	}
}

// groupOfShard is our server's shard-to-group map (server/internal/
// topology: contiguous ranges).
func groupOfShard(shard, groups, total int) int { return shard * groups / total }

// A generated key is owned by the write's own group (no cross-group claim)
// on every layout whose group count divides 64, and the block is the
// exact shard when there are too few shards to split.
func TestIdemKeysStayInTheWritesGroup(t *testing.T) {
	for _, total := range []int{1024, 2048, 4096} {
		k := newIdemKeys("t-", total)
		rng := rand.New(rand.NewPCG(uint64(total), 2))
		for range 500 {
			shard := rng.IntN(total)
			got := hashing.Shard([]byte(k.next(shard)), total)
			for _, groups := range []int{1, 2, 4, 8, 16, 32, 64} {
				if g, want := groupOfShard(got, groups, total), groupOfShard(shard, groups, total); g != want {
					t.Fatalf("%d shards, %d groups: key for shard %d is in shard %d, group %d, want group %d", total, groups, shard, got, g, want)
				}
			}
		}
	}
	for _, total := range []int{1, 16, 100, 127} {
		if b := idemBlock(total); b != 1 {
			t.Fatalf("idemBlock(%d) = %d, want 1 (exact shard)", total, b)
		}
	}
	k := newIdemKeys("t-", 16)
	for shard := range 16 {
		if got := hashing.Shard([]byte(k.next(shard)), 16); got != shard {
			t.Fatalf("16 shards: key for shard %d is in shard %d", shard, got)
		}
	}
}

// Keys for one hot shard (every insert of a vector namespace) cost tens of
// draws, not ~TotalShards: matching the exact shard took ~1024 draws a key
// (~150 µs, under the generator's lock).
func TestIdemKeysForOneShardAreCheap(t *testing.T) {
	k := newIdemKeys("nkc-0123456789abcdef-", 1024)
	const keys = 200
	for range keys {
		k.next(7)
	}
	if draws := k.seq.Load(); draws > keys*200 {
		t.Fatalf("%d keys for one shard took %d draws (%d a key), want at most 200 a key", keys, draws, draws/keys)
	}
}

func BenchmarkIdemKeys(b *testing.B) {
	b.Run("uniform", func(b *testing.B) {
		k := newIdemKeys("nkc-0123456789abcdef-", 1024)
		rng := rand.New(rand.NewPCG(1, 1))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k.next(rng.IntN(1024))
		}
	})
	b.Run("one-shard", func(b *testing.B) {
		k := newIdemKeys("nkc-0123456789abcdef-", 1024)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			k.next(7)
		}
	})
	// par64: 64 callers drawing keys for BenchmarkKVRatio's 64 keys, as
	// its 64-caller Puts do (compare the mutex profile's delay too). Each
	// caller goes through all 64 keys: a goroutine runs many draws in one
	// time slice, unlike a Put caller, which waits between keys, and one
	// key a caller (as in BenchmarkKVRatio) would make every slice a run
	// of keys for one block.
	b.Run("par64", func(b *testing.B) {
		k := newIdemKeys("nkc-0123456789abcdef-", 1024)
		var shards []int
		for i := range 64 {
			shards = append(shards, hashing.Shard([]byte(fmt.Sprintf("bench:%04d", i)), 1024))
		}
		b.ReportAllocs()
		b.SetParallelism(32)
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1))
			for pb.Next() {
				k.next(shards[i%len(shards)])
				i++
			}
		})
		b.ReportMetric(float64(k.seq.Load())/float64(b.N), "draws/op")
	})
}
