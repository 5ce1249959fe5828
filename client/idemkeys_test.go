package client

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/norikv/norikv-console/client/internal/hashing"
)

func TestIdemKeysMatchTheirShardAndNeverRepeat(t *testing.T) {
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
				if got := hashing.Shard([]byte(key), 1024); got != shard {
					t.Errorf("key %q is in shard %d, asked for %d", key, got, shard)
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
			t.Fatalf("shard %d keeps %d spare keys, bound is %d", s, len(keys), maxSpareKeys)
		}
	}
	if key := k.next(-1); key == "" || seen[key] {
		t.Fatalf("key for no shard: %q", key)
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
}
