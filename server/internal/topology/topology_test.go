package topology

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/cespare/xxhash/v2"
)

type vectors struct {
	Keys []struct {
		Key       string `json:"key"`
		XXHash    string `json:"xxhash64"`
		Shard1024 uint32 `json:"shard_1024"`
		Shard256  uint32 `json:"shard_256"`
	} `json:"key_hash_vectors"`
	Jumps []struct {
		Hash string `json:"hash"`
		B100 int32  `json:"buckets_100"`
		B1K  int32  `json:"buckets_1024"`
	} `json:"jump_hash_vectors"`
}

func TestHashVectors(t *testing.T) {
	raw, err := os.ReadFile("../../../testdata/hash-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Keys) == 0 || len(v.Jumps) == 0 {
		t.Fatal("no vectors loaded")
	}
	for _, k := range v.Keys {
		if got := strconv.FormatUint(xxhash.Sum64String(k.Key), 10); got != k.XXHash {
			t.Errorf("xxhash(%q) = %s, want %s", k.Key, got, k.XXHash)
		}
		if got := ShardOf([]byte(k.Key), 1024); got != k.Shard1024 {
			t.Errorf("shard(%q, 1024) = %d, want %d", k.Key, got, k.Shard1024)
		}
		if got := ShardOf([]byte(k.Key), 256); got != k.Shard256 {
			t.Errorf("shard(%q, 256) = %d, want %d", k.Key, got, k.Shard256)
		}
	}
	for _, j := range v.Jumps {
		h, err := strconv.ParseUint(j.Hash, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := JumpHash(h, 100); got != j.B100 {
			t.Errorf("jump(%d, 100) = %d, want %d", h, got, j.B100)
		}
		if got := JumpHash(h, 1024); got != j.B1K {
			t.Errorf("jump(%d, 1024) = %d, want %d", h, got, j.B1K)
		}
	}
}

func TestGroupRangesCoverEveryShardOnce(t *testing.T) {
	for _, c := range []struct{ shards, groups int }{{1024, 16}, {1024, 7}, {10, 3}, {5, 5}, {1, 1}} {
		l := Layout{TotalShards: c.shards, Groups: c.groups}
		next := uint32(0)
		for g := 0; g < c.groups; g++ {
			first, end := l.ShardsOfGroup(g)
			if first != next || end <= first {
				t.Fatalf("%d/%d: group %d range [%d,%d), want start %d", c.shards, c.groups, g, first, end, next)
			}
			for s := first; s < end; s++ {
				if got := l.GroupOfShard(s); got != g {
					t.Fatalf("%d/%d: shard %d in group %d, range says %d", c.shards, c.groups, s, got, g)
				}
			}
			next = end
		}
		if int(next) != c.shards {
			t.Fatalf("%d/%d: ranges end at %d", c.shards, c.groups, next)
		}
	}
}

func TestPlacementSpreadsLeaders(t *testing.T) {
	l := Layout{TotalShards: 1024, Groups: 16, Nodes: []Node{{ID: "n1"}, {ID: "n2"}, {ID: "n3"}}}
	count := map[string]int{}
	for g := 0; g < l.Groups; g++ {
		reps := l.Replicas(g)
		if len(reps) != 3 || reps[0].ID != l.PreferredLeader(g) {
			t.Fatalf("group %d replicas %v, preferred %s", g, reps, l.PreferredLeader(g))
		}
		count[l.PreferredLeader(g)]++
	}
	for id, c := range count {
		if c < 5 || c > 6 {
			t.Errorf("node %s prefers %d groups, want 5 or 6", id, c)
		}
	}
}
