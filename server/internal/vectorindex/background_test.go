package vectorindex

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// bgPair is a synchronous index and a background one fed the same writes.
type bgPair struct {
	sync, bg *Index
}

func newBGPair(t *testing.T, cfg Config) bgPair {
	p := bgPair{sync: mustNew(t, cfg), bg: mustNew(t, cfg)}
	p.bg.SetBackground(true)
	t.Cleanup(p.bg.Close)
	return p
}

// randomOps applies n random writes to both indexes: new ids, moves,
// unchanged repeats, deletes of present and absent ids. Small integer
// components give many exact ties. It checks that both give the same
// answers to every write.
func (p bgPair) randomOps(t *testing.T, rng *rand.Rand, n, ids, dims int) {
	t.Helper()
	last := map[string][]float32{}
	for range n {
		id := fmt.Sprintf("id%04d", rng.IntN(ids))
		switch r := rng.IntN(10); {
		case r < 3:
			a, b := p.sync.Delete(id), p.bg.Delete(id)
			if a != b {
				t.Fatalf("Delete(%s): synchronous %v, background %v", id, a, b)
			}
			delete(last, id)
		default:
			v := last[id]
			if v == nil || r > 3 {
				v = make([]float32, dims)
				for i := range v {
					v[i] = float32(rng.IntN(9) - 4)
				}
			}
			if err := p.sync.Upsert(id, v); err != nil {
				t.Fatal(err)
			}
			if err := p.bg.Upsert(id, v); err != nil {
				t.Fatal(err)
			}
			last[id] = v
		}
	}
}

// checkLogical compares every read of the background index (pending writes
// or not) with the synchronous one: Len, Get, exact search; and checks that
// its approximate search returns no duplicate or deleted id and every
// pending vector that belongs in the exact top k.
func (p bgPair) checkLogical(t *testing.T, rng *rand.Rand, ids, dims int) {
	t.Helper()
	if a, b := p.sync.Len(), p.bg.Len(); a != b {
		t.Fatalf("Len: synchronous %d, background %d (pending %d)", a, b, p.bg.Pending())
	}
	if a, b := p.sync.Stats().Live, p.bg.Stats().Live; a != b {
		t.Fatalf("Stats.Live: synchronous %d, background %d", a, b)
	}
	for i := range ids {
		id := fmt.Sprintf("id%04d", i)
		va, oka := p.sync.Get(id)
		vb, okb := p.bg.Get(id)
		if oka != okb || !slices.Equal(va, vb) {
			t.Fatalf("Get(%s): synchronous %v %v, background %v %v", id, va, oka, vb, okb)
		}
	}
	pendingNow := func() map[string]bool {
		p.bg.qmu.RLock()
		defer p.bg.qmu.RUnlock()
		m := map[string]bool{}
		for id := range p.bg.q.latest {
			m[id] = true
		}
		return m
	}
	for range 10 {
		// No write runs during the searches, so an id pending both before
		// and after one was pending throughout it; with the indexer running
		// an id pending before may be linked by then, and the approximate
		// graph search may miss it like any linked vector.
		pending := pendingNow()
		q := make([]float32, dims)
		for i := range q {
			q[i] = float32(rng.IntN(9)-4) + 0.5
		}
		k := 1 + rng.IntN(12)
		want, err := p.sync.SearchExact(q, k)
		must(t, err)
		got, err := p.bg.SearchExact(q, k)
		must(t, err)
		if !slices.Equal(want, got) {
			t.Fatalf("SearchExact(k=%d): synchronous %v, background %v", k, want, got)
		}
		approx, err := p.bg.Search(q, k, 0)
		must(t, err)
		seen := map[string]bool{}
		for _, m := range approx {
			if seen[m.ID] {
				t.Fatalf("Search returned %s twice: %v", m.ID, approx)
			}
			seen[m.ID] = true
			if _, ok := p.sync.Get(m.ID); !ok {
				t.Fatalf("Search returned deleted id %s: %v", m.ID, approx)
			}
		}
		// A pending vector in the exact top k is strictly beaten by fewer
		// than k vectors, so the merge must return it (ties aside).
		after := pendingNow()
		for _, m := range want {
			if pending[m.ID] && after[m.ID] && !seen[m.ID] && m.Distance < want[len(want)-1].Distance {
				t.Fatalf("pending %s (%v) in the exact top %d missing from Search: %v", m.ID, m.Distance, k, approx)
			}
		}
	}
}

// TestBackgroundMatchesSynchronous applies random writes to a synchronous
// and a background index, with the indexer paused for part of each round
// so that writes of every kind pile up (updates and deletes of pending and
// of linked ids): while writes are pending every read matches the
// synchronous index, and once the queue drains the background index holds
// the bit-identical graph (same snapshot bytes) and answers every search
// identically.
func TestBackgroundMatchesSynchronous(t *testing.T) {
	const dims, ids = 5, 300
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		t.Run(d.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(d), 77))
			p := newBGPair(t, Config{Dims: dims, Distance: d, Kind: HNSW, M: 4, EfConstruction: 24, Seed: 9})
			sawPending := false
			for round := range 12 {
				func() {
					p.bg.gate.Lock() // pause the indexer: the next writes stay pending
					defer p.bg.gate.Unlock()
					p.randomOps(t, rng, 150, ids, dims)
					if p.bg.Pending() > 0 {
						sawPending = true
					}
					p.checkLogical(t, rng, ids, dims)
				}()
				p.randomOps(t, rng, 50, ids, dims) // indexer running meanwhile
				p.checkLogical(t, rng, ids, dims)
				if round%3 == 2 {
					p.bg.Drain()
					if n := p.bg.Pending(); n != 0 {
						t.Fatalf("Pending after Drain: %d", n)
					}
					if !bytes.Equal(snapshotBytes(t, p.sync), snapshotBytes(t, p.bg)) {
						t.Fatalf("round %d: drained background graph differs from the synchronous one", round)
					}
					for range 20 {
						q := make([]float32, dims)
						for i := range q {
							q[i] = rng.Float32()*8 - 4
						}
						a, err := p.sync.Search(q, 10, 0)
						must(t, err)
						b, err := p.bg.Search(q, 10, 0)
						must(t, err)
						if !slices.Equal(a, b) {
							t.Fatalf("after drain: synchronous %v, background %v", a, b)
						}
					}
				}
			}
			if !sawPending {
				t.Fatal("no write was ever pending: the test did not exercise the queue")
			}
		})
	}
}
