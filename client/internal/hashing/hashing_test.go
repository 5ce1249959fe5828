package hashing

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

type vectors struct {
	Keys []struct {
		Key       string `json:"key"`
		KeyHex    string `json:"key_hex"`
		XXHash64  string `json:"xxhash64"`
		Shard1024 int    `json:"shard_1024"`
		Shard256  int    `json:"shard_256"`
	} `json:"key_hash_vectors"`
	Jumps []struct {
		Hash        string `json:"hash"`
		Buckets100  int    `json:"buckets_100"`
		Buckets1024 int    `json:"buckets_1024"`
	} `json:"jump_hash_vectors"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "hash-vectors.json"))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parse vectors: %v", err)
	}
	if len(v.Keys) != 15 || len(v.Jumps) != 7 {
		t.Fatalf("want 15 key and 7 jump vectors, got %d and %d", len(v.Keys), len(v.Jumps))
	}
	return v
}

func TestKeyVectors(t *testing.T) {
	for _, kv := range loadVectors(t).Keys {
		key, err := hex.DecodeString(kv.KeyHex)
		if err != nil {
			t.Fatalf("bad hex %q: %v", kv.KeyHex, err)
		}
		if string(key) != kv.Key {
			t.Fatalf("key_hex %q does not decode to key %q", kv.KeyHex, kv.Key)
		}
		want, _ := strconv.ParseUint(kv.XXHash64, 10, 64)
		if got := Hash(key); got != want {
			t.Errorf("Hash(%q) = %d, want %d", trunc(kv.Key), got, want)
		}
		if got := Shard(key, 1024); got != kv.Shard1024 {
			t.Errorf("Shard(%q, 1024) = %d, want %d", trunc(kv.Key), got, kv.Shard1024)
		}
		if got := Shard(key, 256); got != kv.Shard256 {
			t.Errorf("Shard(%q, 256) = %d, want %d", trunc(kv.Key), got, kv.Shard256)
		}
	}
}

func TestJumpVectors(t *testing.T) {
	for _, jv := range loadVectors(t).Jumps {
		h, err := strconv.ParseUint(jv.Hash, 10, 64)
		if err != nil {
			t.Fatalf("bad hash %q: %v", jv.Hash, err)
		}
		if got := Jump(h, 100); got != jv.Buckets100 {
			t.Errorf("Jump(%d, 100) = %d, want %d", h, got, jv.Buckets100)
		}
		if got := Jump(h, 1024); got != jv.Buckets1024 {
			t.Errorf("Jump(%d, 1024) = %d, want %d", h, got, jv.Buckets1024)
		}
	}
}

func TestJumpEdges(t *testing.T) {
	if got := Jump(12345, 0); got != 0 {
		t.Errorf("Jump with 0 buckets = %d, want 0", got)
	}
	if got := Jump(12345, 1); got != 0 {
		t.Errorf("Jump with 1 bucket = %d, want 0", got)
	}
	for h := uint64(0); h < 1000; h++ {
		if b := Jump(h*0x9e3779b97f4a7c15, 7); b < 0 || b >= 7 {
			t.Fatalf("Jump out of range: %d", b)
		}
	}
}

func TestShardDoesNotAllocate(t *testing.T) {
	key := []byte("user:123")
	if n := testing.AllocsPerRun(100, func() { _ = Shard(key, 1024) }); n != 0 {
		t.Fatalf("Shard allocates %v times per call, want 0", n)
	}
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}
