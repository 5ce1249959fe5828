package vectorstore_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

func batchItems(rng *rand.Rand, n, dims int, prefix string) []vectorstore.Item {
	items := make([]vectorstore.Item, n)
	for i := range items {
		items[i] = vectorstore.Item{ID: prefix + strconv.Itoa(i), Vector: randVec(rng, dims)}
	}
	return items
}

func indexBytes(t *testing.T, s *vectorstore.Store, ns string) []byte {
	t.Helper()
	ix, ok := s.Index(ns)
	if !ok {
		t.Fatalf("no index %s", ns)
	}
	// HNSW writes link in the background; replicas agree on the graph
	// once every applied write is in it.
	ix.Drain()
	var b bytes.Buffer
	if err := ix.WriteSnapshot(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestInsertBatchSameAsSingles: a batch builds exactly the index (graph
// included) that the same inserts one per entry build, on every replica.
func TestInsertBatchSameAsSingles(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	items := batchItems(rng, 300, 16, "v")
	items = append(items, vectorstore.Item{ID: "v7", Vector: randVec(rng, 16)}) // a later item wins
	batched, batched2, singles := newReplica(), newReplica(), newReplica()
	for _, r := range []*replica{batched, batched2, singles} {
		r.apply(t, vectorstore.CreateCommand("ns", hnswDef(16), 99, ""))
	}
	for _, r := range []*replica{batched, batched2} {
		for lo := 0; lo < len(items); lo += 128 {
			res := r.apply(t, vectorstore.InsertBatchCommand("ns", items[lo:min(lo+128, len(items))], "b"+strconv.Itoa(lo)))
			if res.Outcome != kvstore.OK || !res.Flag {
				t.Fatalf("batch at %d: %+v", lo, res)
			}
		}
	}
	for _, it := range items {
		singles.apply(t, vectorstore.InsertCommand("ns", it.ID, it.Vector, ""))
	}
	want := indexBytes(t, singles.store, "ns")
	for name, r := range map[string]*replica{"batched": batched, "second replica": batched2} {
		if got := indexBytes(t, r.store, "ns"); !bytes.Equal(got, want) {
			t.Fatalf("%s: index differs from the one-insert-per-entry index (%d vs %d bytes)", name, len(got), len(want))
		}
	}
	ix, _ := batched.store.Index("ns")
	if ix.Len() != 300 {
		t.Fatalf("len %d, want 300", ix.Len())
	}
}

func TestInsertBatchValidationAndIdempotency(t *testing.T) {
	r := newReplica()
	r.apply(t, vectorstore.CreateCommand("ns", hnswDef(4), 1, ""))
	rng := rand.New(rand.NewPCG(1, 1))
	items := batchItems(rng, 10, 4, "a")
	first := r.apply(t, vectorstore.InsertBatchCommand("ns", items, "k1"))
	if first.Outcome != kvstore.OK {
		t.Fatalf("batch: %+v", first)
	}
	replay := r.apply(t, vectorstore.InsertBatchCommand("ns", items, "k1"))
	if !replay.Replayed || replay.Version != first.Version {
		t.Fatalf("replay = %+v, want the first reply %+v", replay, first)
	}
	other := append([]vectorstore.Item{}, items...)
	other[3] = vectorstore.Item{ID: "changed", Vector: []float32{1, 2, 3, 4}}
	if res := r.apply(t, vectorstore.InsertBatchCommand("ns", other, "k1")); res.Outcome != kvstore.IdemConflict {
		t.Fatalf("key reused for another batch = %+v, want IdemConflict", res)
	}
	before := indexBytes(t, r.store, "ns")
	bad := batchItems(rng, 10, 4, "b")
	bad[6].Vector = []float32{1, 2, 3, float32(math.NaN())}
	res := r.apply(t, vectorstore.InsertBatchCommand("ns", bad, ""))
	if res.Outcome != kvstore.Invalid || !strings.Contains(res.Message, `item 6 (id "b6")`) {
		t.Fatalf("batch with a NaN = %+v, want Invalid naming item 6", res)
	}
	if !bytes.Equal(before, indexBytes(t, r.store, "ns")) {
		t.Fatal("an invalid batch changed the index")
	}
	if res := r.apply(t, vectorstore.InsertBatchCommand("missing", items, "")); res.Outcome != kvstore.NotFound {
		t.Fatalf("batch into a missing index = %+v", res)
	}
}

func TestMalformedBatchesNeverPanic(t *testing.T) {
	r := newReplica()
	r.apply(t, vectorstore.CreateCommand("ns", hnswDef(2), 1, ""))
	rng := rand.New(rand.NewPCG(8, 8))
	good := vectorstore.InsertBatchCommand("ns", batchItems(rng, 3, 2, "x"), "")
	for i := 0; i < 3000; i++ {
		c := *good
		c.Payload = append([]byte{}, good.Payload...)
		switch rng.IntN(3) {
		case 0:
			c.Payload = c.Payload[:rng.IntN(len(c.Payload))]
		case 1:
			c.Payload[rng.IntN(len(c.Payload))] = byte(rng.Uint32())
		default:
			c.Payload = make([]byte, rng.IntN(40))
			for j := range c.Payload {
				c.Payload[j] = byte(rng.IntN(8))
			}
		}
		_ = r.apply(t, &c)
	}
}
