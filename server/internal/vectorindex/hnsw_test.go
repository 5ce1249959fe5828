package vectorindex

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// checkGraph verifies the HNSW invariants: lists within capacity, no self
// or free-slot edges, edges only to nodes that exist on that level, an entry
// of the top level, and (when tombstonesAllowed is false) no edge into a
// tombstone.
func checkGraph(t *testing.T, ix *Index, tombstonesAllowed bool) {
	t.Helper()
	g := ix.g
	used, top := 0, -1
	for s, st := range ix.state {
		if st == slotFree {
			continue
		}
		used++
		top = max(top, int(g.levels[s]))
		for l := 0; l <= int(g.levels[s]); l++ {
			lst := g.links(int32(s), l)
			if len(lst) > g.maxLinks(l) {
				t.Fatalf("slot %d level %d: %d links > %d", s, l, len(lst), g.maxLinks(l))
			}
			for _, x := range lst {
				switch {
				case x == int32(s):
					t.Fatalf("slot %d links to itself", s)
				case ix.state[x] == slotFree:
					t.Fatalf("slot %d links to free slot %d", s, x)
				case ix.state[x] != slotLive && !tombstonesAllowed && st == slotLive:
					t.Fatalf("slot %d links to tombstone %d after compaction", s, x)
				case int(g.levels[x]) < l:
					t.Fatalf("slot %d level %d links to %d of level %d", s, l, x, g.levels[x])
				}
			}
		}
	}
	if used != ix.live+g.tombstones {
		t.Fatalf("%d used slots, live %d + tombstones %d", used, ix.live, g.tombstones)
	}
	if used > 0 && (g.entry < 0 || int(g.levels[g.entry]) != g.top) {
		t.Fatalf("entry %d top %d", g.entry, g.top)
	}
	if ix.live > 0 && !tombstonesAllowed && g.top != top {
		t.Fatalf("top level %d but highest node level %d", g.top, top)
	}
}

// TestDeletedNeverReturned deletes a third of an HNSW index in steps, across
// automatic compactions and an explicit one, and checks after each step that
// no deleted id comes back, the graph is sound and recall holds.
func TestDeletedNeverReturned(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 3000, Queries: 100, Dims: 16, Seed: 3})
	ix := mustNew(t, Config{Dims: 16, Distance: Euclidean, Kind: HNSW, Seed: 9})
	loadSet(t, ix, set)
	deleted := map[string]bool{}
	step := func(from, to int) {
		for i := from; i < to; i += 3 {
			if !ix.Delete(vecID(i)) {
				t.Fatalf("delete %d reported missing", i)
			}
			deleted[vecID(i)] = true
		}
		checkGraph(t, ix, true)
		for i := range 100 {
			got, err := ix.Search(set.Row(set.Queries, i), 50, 100)
			must(t, err)
			for _, m := range got {
				if deleted[m.ID] {
					t.Fatalf("deleted id %s returned", m.ID)
				}
			}
		}
		if r := recall(t, ix, set, 10, 0); r < 0.9 {
			t.Fatalf("recall@10 %.3f after deletes", r)
		}
	}
	step(0, 1500) // 500 tombstones: below the compaction threshold
	if ix.g.tombstones != 500 {
		t.Fatalf("tombstones = %d, want 500", ix.g.tombstones)
	}
	step(1500, 3000) // crosses it: at least one compaction
	if ix.g.tombstones >= 500 {
		t.Fatalf("no compaction ran: %d tombstones", ix.g.tombstones)
	}
	ix.Compact()
	checkGraph(t, ix, false)
	if ix.g.tombstones != 0 || ix.Len() != 2000 || len(ix.free) == 0 {
		t.Fatalf("after Compact: tombstones %d, Len %d, free %d", ix.g.tombstones, ix.Len(), len(ix.free))
	}
	step(1, 3000) // deletes on the compacted graph
	// Freed slots are reused by new inserts, which must be findable.
	for i := range 300 {
		must(t, ix.Upsert(fmt.Sprintf("new%d", i), set.Row(set.Base, i)))
	}
	checkGraph(t, ix, true)
	got, err := ix.Search(set.Row(set.Base, 0), 1, 0)
	must(t, err)
	if got[0].ID != "new0" {
		t.Fatalf("re-inserted vector not found first: %v", got)
	}
}

// applyOps runs a fixed mixed sequence of upserts, moves and deletes.
func applyOps(t *testing.T, ix *Index, set *datagen.Set, from, to int) {
	n := len(set.Base) / set.Dims
	for i := from; i < to; i++ {
		must(t, ix.Upsert(vecID(i%n), set.Row(set.Base, (i*7)%n)))
		if i%5 == 0 {
			ix.Delete(vecID((i * 3) % n))
		}
	}
}

func searchAll(t *testing.T, ix *Index, set *datagen.Set) [][]Match {
	nq := len(set.Queries) / set.Dims
	out := make([][]Match, nq)
	for i := range nq {
		m, err := ix.Search(set.Row(set.Queries, i), 10, 0)
		must(t, err)
		out[i] = m
	}
	return out
}

func sameResults(t *testing.T, a, b [][]Match) {
	t.Helper()
	for i := range a {
		if len(a[i]) != len(b[i]) {
			t.Fatalf("query %d: %d vs %d matches", i, len(a[i]), len(b[i]))
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("query %d rank %d: %v vs %v", i, j, a[i][j], b[i][j])
			}
		}
	}
}

func snapshotBytes(t *testing.T, ix *Index) []byte {
	var buf bytes.Buffer
	must(t, ix.WriteSnapshot(&buf))
	return buf.Bytes()
}

// TestDeterminism feeds two indexes the same operations, including moves and
// deletes that trigger compaction: they must hold byte-identical state and
// answer identically, as replicas do.
func TestDeterminism(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 1500, Queries: 50, Dims: 24, Seed: 5})
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		cfg := Config{Dims: 24, Distance: d, Kind: HNSW, M: 8, EfConstruction: 60, Seed: 77}
		a, b := mustNew(t, cfg), mustNew(t, cfg)
		applyOps(t, a, set, 0, 3000)
		applyOps(t, b, set, 0, 3000)
		if !bytes.Equal(snapshotBytes(t, a), snapshotBytes(t, b)) {
			t.Fatalf("%s: replicas diverged", d)
		}
		sameResults(t, searchAll(t, a, set), searchAll(t, b, set))
		// A different seed gives a different graph: the seed is really used.
		cfg.Seed = 78
		c := mustNew(t, cfg)
		applyOps(t, c, set, 0, 3000)
		if bytes.Equal(snapshotBytes(t, a), snapshotBytes(t, c)) {
			t.Fatalf("%s: seed has no effect", d)
		}
	}
}

// TestConcurrentSearch runs searches while another goroutine writes; run it
// with -race to check the locking.
func TestConcurrentSearch(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 1000, Queries: 40, Dims: 16, Seed: 11})
	ix := mustNew(t, Config{Dims: 16, Distance: Cosine, Kind: HNSW, M: 8, EfConstruction: 40})
	applyOps(t, ix, set, 0, 500)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				q := set.Row(set.Queries, (i+w)%40)
				m, err := ix.Search(q, 5, 0)
				if err == nil && len(m) == 0 {
					err = fmt.Errorf("no matches")
				}
				if err == nil {
					_, err = ix.SearchExact(q, 5)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	applyOps(t, ix, set, 500, 1500)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkGraph(t, ix, true)
	// Searches during inserts do not change the graph an insert builds.
	ref := mustNew(t, Config{Dims: 16, Distance: Cosine, Kind: HNSW, M: 8, EfConstruction: 40})
	applyOps(t, ref, set, 0, 500)
	applyOps(t, ref, set, 500, 1500)
	if !bytes.Equal(snapshotBytes(t, ix), snapshotBytes(t, ref)) {
		t.Fatal("an index built while searches ran differs from one built alone")
	}
}

// TestConcurrentWriters: writes from several goroutines are serialized; the
// graph stays sound and holds every vector written.
func TestConcurrentWriters(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 1200, Queries: 10, Dims: 8, Seed: 12})
	ix := mustNew(t, Config{Dims: 8, Distance: Euclidean, Kind: HNSW, M: 6, EfConstruction: 30})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1200; i += 4 {
				if err := ix.Upsert(vecID(i), set.Row(set.Base, i)); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					ix.Delete(vecID(i))
				}
			}
		}()
	}
	wg.Wait()
	if ix.Len() != 1200-120 {
		t.Fatalf("Len = %d, want %d", ix.Len(), 1200-120)
	}
	checkGraph(t, ix, true)
}

// TestIncrementalSweep checks that purging tombstones is spread over many
// writes, that the graph stays sound after every write of a sweep (with
// deletes and inserts landing mid-sweep), and that a snapshot taken
// mid-sweep restores an index that carries on identically.
func TestIncrementalSweep(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 2000, Queries: 30, Dims: 16, Seed: 17})
	ix := mustNew(t, Config{Dims: 16, Distance: Euclidean, Kind: HNSW, M: 8, EfConstruction: 40, Seed: 2})
	loadSet(t, ix, set)
	i := 0
	for !ix.g.sweeping {
		ix.Delete(vecID(i))
		i += 2
	}
	if ix.g.sweepPos >= len(ix.state) {
		t.Fatal("the sweep ran to the end inside one write")
	}
	snap := snapshotBytes(t, ix)
	restored, err := ReadSnapshot(bytes.NewReader(snap))
	must(t, err)
	writes := 0
	step := func(x *Index, w int) {
		if w%3 == 0 {
			must(t, x.Upsert(fmt.Sprintf("new%d", w), set.Row(set.Base, (w*11)%2000)))
		} else {
			x.Delete(vecID(1 + 2*w))
		}
	}
	for ix.g.sweeping {
		step(ix, writes)
		checkGraph(t, ix, true)
		writes++
	}
	if writes < 2 {
		t.Fatalf("sweep finished after %d writes", writes)
	}
	for _, st := range ix.state {
		if st == slotSealed {
			t.Fatal("sealed tombstone left after the sweep")
		}
	}
	if len(ix.free) == 0 {
		t.Fatal("the sweep freed no slot")
	}
	for w := range writes {
		step(restored, w)
	}
	if !bytes.Equal(snapshotBytes(t, restored), snapshotBytes(t, ix)) {
		t.Fatal("index restored mid-sweep diverged")
	}
	if r := recall(t, ix, set, 10, 0); r < 0.95 {
		t.Fatalf("recall@10 %.3f after a sweep", r)
	}
	t.Logf("sweep took %d writes", writes)
}
