package vectorstore_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// TestReplicasAgreeWhileIndexing: HNSW writes are acknowledged before they
// are in the graph. Right after applying a log, replicas (one restored from
// a snapshot taken while writes were pending) already answer every exact
// search and count like a model of the log; once their indexers drain
// they hold byte-identical indexes.
func TestReplicasAgreeWhileIndexing(t *testing.T) {
	const dims = 32
	rng := rand.New(rand.NewPCG(11, 12))
	a, b := newReplica(), newReplica()
	def := vectorstore.Def{Dims: dims, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW, M: 16, EfConstruction: 200}
	log := []*kvstore.Command{vectorstore.CreateCommand("h", def, 7, "")}
	model := map[string][]float32{}
	for lo := 0; lo < 3000; lo += 1000 {
		items := make([]vectorstore.Item, 1000)
		for i := range items {
			id := "v" + strconv.Itoa(rng.IntN(2500))
			items[i] = vectorstore.Item{ID: id, Vector: randVec(rng, dims)}
			model[id] = items[i].Vector
		}
		log = append(log, vectorstore.InsertBatchCommand("h", items, "b"+strconv.Itoa(lo)))
		for i := 0; i < 100; i++ {
			id := "v" + strconv.Itoa(rng.IntN(2500))
			log = append(log, vectorstore.DeleteCommand("h", id, fmt.Sprintf("d%d-%d", lo, i)))
			delete(model, id)
		}
	}
	var snap bytes.Buffer
	snapAt := len(log) / 2
	for i, c := range log {
		a.apply(t, c)
		b.apply(t, c)
		if i == snapAt {
			if a.store.Pending() == 0 {
				t.Fatal("no write pending at snapshot time: the test does not exercise the queue")
			}
			persist(t, a.fsm, &snap)
		}
	}
	c := newReplica()
	if err := c.fsm.Restore(io.NopCloser(bytes.NewReader(snap.Bytes()))); err != nil {
		t.Fatal(err)
	}
	c.index = uint64(snapAt + 1)
	for _, cmd := range log[snapAt+1:] {
		c.apply(t, cmd)
	}
	for name, r := range map[string]*replica{"a": a, "b": b, "restored": c} {
		ix, _ := r.store.Index("h")
		if ix.Len() != len(model) {
			t.Fatalf("%s: Len %d (pending %d), the log leaves %d", name, ix.Len(), ix.Pending(), len(model))
		}
		for q := 0; q < 5; q++ {
			query := randVec(rng, dims)
			got, err := ix.SearchExact(query, 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := exactModel(model, query, 10); !slices.EqualFunc(got, want, func(m vectorindex.Match, id string) bool { return m.ID == id }) {
				t.Fatalf("%s: exact search %v, the model says %v", name, got, want)
			}
		}
	}
	want := indexBytes(t, a.store, "h")
	for name, r := range map[string]*replica{"b": b, "restored": c} {
		if got := indexBytes(t, r.store, "h"); !bytes.Equal(got, want) {
			t.Fatalf("%s: drained index differs from replica a's", name)
		}
	}
}

// exactModel returns the ids of the k nearest model vectors (Euclidean,
// ties by id).
func exactModel(model map[string][]float32, q []float32, k int) []string {
	type cand struct {
		id string
		d  float64
	}
	var cs []cand
	for id, v := range model {
		var d float64
		for i := range v {
			x := float64(v[i] - q[i])
			d += x * x
		}
		cs = append(cs, cand{id, d})
	}
	slices.SortFunc(cs, func(x, y cand) int {
		if x.d != y.d {
			if x.d < y.d {
				return -1
			}
			return 1
		}
		return bytes.Compare([]byte(x.id), []byte(y.id))
	})
	out := make([]string, 0, k)
	for _, c := range cs[:min(k, len(cs))] {
		out = append(out, c.id)
	}
	return out
}

// TestDropAndResetStopIndexers: dropping an index, resetting or restoring
// the store while its indexers run leaves no goroutine behind.
func TestDropAndResetStopIndexers(t *testing.T) {
	base := runtime.NumGoroutine()
	rng := rand.New(rand.NewPCG(2, 3))
	r := newReplica()
	def := vectorstore.Def{Dims: 32, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW, M: 16, EfConstruction: 200}
	for _, ns := range []string{"a", "b", "c"} {
		r.apply(t, vectorstore.CreateCommand(ns, def, 1, ""))
		items := make([]vectorstore.Item, 1000)
		for i := range items {
			items[i] = vectorstore.Item{ID: "v" + strconv.Itoa(i), Vector: randVec(rng, 32)}
		}
		r.apply(t, vectorstore.InsertBatchCommand(ns, items, "i-"+ns))
	}
	if r.store.Pending() == 0 {
		t.Fatal("nothing pending: the test does not exercise running indexers")
	}
	dropped, _ := r.store.Index("a")
	r.apply(t, vectorstore.DropCommand("a", ""))
	// Drop closed the index: its indexer has stopped, the queue no longer moves.
	left := dropped.Pending()
	time.Sleep(100 * time.Millisecond)
	if left == 0 || dropped.Pending() != left {
		t.Fatalf("dropped index still indexing: %d pending, then %d", left, dropped.Pending())
	}
	var snap bytes.Buffer
	persist(t, r.fsm, &snap)
	if err := r.fsm.Restore(io.NopCloser(bytes.NewReader(snap.Bytes()))); err != nil {
		t.Fatal(err) // replaces b and c by restored copies that resume the queue
	}
	r.store.Reset()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), base)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
