package client

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
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

// With the group count known a cell is the whole group: keys for a hot
// shard next to a group edge (173: in group 1 of 6, and in block 10, which
// straddles the edge at 170/171) cost about as many draws as there are
// groups, not TotalShards over the 5 shards the block and group share.
func TestIdemKeysForAShardAtAGroupEdgeAreCheap(t *testing.T) {
	k := newIdemKeys("nkc-0123456789abcdef-", 1024)
	k.setGroups(6)
	const keys = 500
	for range keys {
		k.next(173)
	}
	if draws := k.seq.Load(); draws > keys*20 {
		t.Fatalf("%d keys for shard 173 of 6 groups took %d draws (%d a key), want at most 20 a key", keys, draws, draws/keys)
	}
}

// BenchmarkIdemKeys draws keys with the group count unknown (cells are
// blocks: other servers) and with 6 groups (our server's default: cells are
// groups); edge-shard is a hot shard in the 5-shard piece of block 10
// (shards 171-175) that lies in group 1.
func BenchmarkIdemKeys(b *testing.B) {
	for _, groups := range []int{0, 6} {
		name := func(s string) string {
			if groups == 0 {
				return s
			}
			return s + "-groups" + strconv.Itoa(groups)
		}
		newKeys := func() *idemKeys {
			k := newIdemKeys("nkc-0123456789abcdef-", 1024)
			k.setGroups(groups)
			return k
		}
		b.Run(name("uniform"), func(b *testing.B) {
			k := newKeys()
			rng := rand.New(rand.NewPCG(1, 1))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				k.next(rng.IntN(1024))
			}
		})
		b.Run(name("one-shard"), func(b *testing.B) {
			k := newKeys()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				k.next(7)
			}
		})
		b.Run(name("edge-shard"), func(b *testing.B) {
			k := newKeys()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				k.next(173)
			}
		})
		// par64: 64 callers drawing keys for BenchmarkKVRatio's 64 keys, as
		// its 64-caller Puts do (compare the mutex profile's delay too). Each
		// caller goes through all 64 keys: a goroutine runs many draws in one
		// time slice, unlike a Put caller, which waits between keys, and one
		// key a caller (as in BenchmarkKVRatio) would make every slice a run
		// of keys for one block.
		b.Run(name("par64"), func(b *testing.B) {
			k := newKeys()
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
}

// Once the server's group count is known (x-norikv-groups), every key is
// owned by the write's own group and lies in its block, for every shard:
// with 6 groups (the server's default: 170/171 shards a group) 4 of the 64
// blocks straddle a group edge, and a key drawn by block alone for a shard
// near the edge was often in the other group (a claim there: one more
// replicated entry before the write).
func TestIdemKeysStayInTheWritesGroupWithGroupsNotDividing64(t *testing.T) {
	const total = 1024
	for _, groups := range []int{6, 3, 5, 7, 100, 256, 1024, 5000} {
		k := newIdemKeys("t-", total)
		k.setGroups(groups)
		g := min(groups, total)
		for round := range 3 { // again from the spare keys
			for shard := range total {
				key := k.next(shard)
				got := hashing.Shard([]byte(key), total)
				if gg, want := groupOfShard(got, g, total), groupOfShard(shard, g, total); gg != want {
					t.Fatalf("%d groups, round %d: key %q for shard %d (group %d) is in shard %d, group %d", groups, round, key, shard, want, got, gg)
				}
			}
		}
		for c, keys := range k.spare {
			if len(keys) > maxSpareKeys {
				t.Fatalf("%d groups: cell %d keeps %d spare keys, bound is %d", groups, c, len(keys), maxSpareKeys)
			}
		}
	}
}

// The cell index tells cells apart: two shards get one index exactly when
// they share their group (once the count is known) or their block (before).
func TestIdemCellsAreGroupsOrBlocks(t *testing.T) {
	for _, total := range []int{16, 100, 1024, 4096} {
		for _, groups := range []int{0, 1, 3, 6, 7, 16, 100, total} {
			if groups > total {
				continue
			}
			k := newIdemKeys("t-", total)
			n := cells(total, k.block, groups)
			first := map[int]int{}
			for s := range total {
				c := k.cell(s, groups)
				if c < 0 || c >= n {
					t.Fatalf("%d shards, %d groups: shard %d has cell %d, outside 0..%d", total, groups, s, c, n-1)
				}
				f, seen := first[c]
				if !seen {
					first[c] = s
					continue
				}
				same := s/k.block == f/k.block
				if groups > 0 {
					same = groupOfShard(s, groups, total) == groupOfShard(f, groups, total)
				}
				if !same {
					t.Fatalf("%d shards, %d groups: shards %d and %d share cell %d across a block or group edge", total, groups, f, s, c)
				}
			}
		}
	}
}

// The group count may arrive (or change) while other callers draw keys:
// spare keys drawn under the old count are dropped, not handed out for a
// cell they are not in. Run with -race.
func TestIdemKeysGroupsChangeWhileDrawing(t *testing.T) {
	const total = 1024
	k := newIdemKeys("t-", total)
	var setter, writers sync.WaitGroup
	var stop atomic.Bool
	setter.Add(1)
	go func() {
		defer setter.Done()
		for i := 0; !stop.Load(); i++ {
			k.setGroups([]int{0, 6, 7, 256}[i%4])
			runtime.Gosched()
		}
	}()
	for w := range 3 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			for range 3000 {
				k.next(rng.IntN(total))
			}
		}()
	}
	// Then settle on 6 groups: every key from now on is in its write's
	// group, spares kept under other counts included.
	writers.Wait()
	stop.Store(true)
	setter.Wait()
	k.setGroups(6)
	for shard := range total {
		got := hashing.Shard([]byte(k.next(shard)), total)
		if g, want := groupOfShard(got, 6, total), groupOfShard(shard, 6, total); g != want {
			t.Fatalf("after settling on 6 groups: key for shard %d is in shard %d, group %d, want %d", shard, got, g, want)
		}
	}
}
