package vectorindex

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func randRow(rng *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return v
}

// TestBackgroundConcurrentSearches runs searches, gets and stats while a
// writer streams upserts and deletes into a background index (run it with
// -race): every answer is sorted and free of duplicate ids, and the
// drained index equals one built synchronously.
func TestBackgroundConcurrentSearches(t *testing.T) {
	const dims, n = 16, 3000
	cfg := Config{Dims: dims, Distance: Euclidean, Kind: HNSW, M: 8, EfConstruction: 40, Seed: 3}
	p := newBGPair(t, cfg)
	rng := rand.New(rand.NewPCG(1, 1))
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = randRow(rng, dims)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 2))
			for {
				select {
				case <-done:
					return
				default:
				}
				q := randRow(r, dims)
				var got []Match
				var err error
				if w == 0 {
					got, err = p.bg.SearchExact(q, 10)
				} else {
					got, err = p.bg.Search(q, 10, 0)
				}
				if err != nil {
					errs <- err
					return
				}
				seen := map[string]bool{}
				for i, m := range got {
					if seen[m.ID] || i > 0 && m.Distance < got[i-1].Distance {
						errs <- fmt.Errorf("bad answer %v", got)
						return
					}
					seen[m.ID] = true
				}
				_, _ = p.bg.Get(fmt.Sprintf("v%d", r.IntN(n)))
				_ = p.bg.Stats()
			}
		}()
	}
	for i := range n {
		id := fmt.Sprintf("v%d", i)
		must(t, p.bg.Upsert(id, rows[i]))
		must(t, p.sync.Upsert(id, rows[i]))
		if i%7 == 6 {
			del := fmt.Sprintf("v%d", i-3)
			if a, b := p.sync.Delete(del), p.bg.Delete(del); a != b {
				t.Fatalf("Delete(%s): %v vs %v", del, a, b)
			}
		}
	}
	p.bg.Drain()
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if !bytes.Equal(snapshotBytes(t, p.sync), snapshotBytes(t, p.bg)) {
		t.Fatal("drained background index differs from the synchronous one")
	}
}

// TestBackgroundBackPressure: with the indexer paused, the queue takes
// MaxPendingOps writes; the next Upsert waits until the indexer makes room.
func TestBackgroundBackPressure(t *testing.T) {
	ix := mustNew(t, Config{Dims: 2, Distance: Euclidean, Kind: HNSW, M: 4, EfConstruction: 8, Seed: 1})
	ix.SetBackground(true)
	defer ix.Close()
	rng := rand.New(rand.NewPCG(4, 4))
	ix.gate.Lock()
	released := false
	defer func() {
		if !released {
			ix.gate.Unlock()
		}
	}()
	for i := range MaxPendingOps {
		must(t, ix.Upsert(fmt.Sprintf("v%d", i), randRow(rng, 2)))
	}
	if got := ix.Stats().Pending; got != MaxPendingOps {
		t.Fatalf("Stats.Pending %d, want %d", got, MaxPendingOps)
	}
	returned := make(chan error, 1)
	go func() { returned <- ix.Upsert("last", []float32{0, 0}) }()
	select {
	case err := <-returned:
		t.Fatalf("Upsert into a full queue returned (%v) before the indexer made room", err)
	case <-time.After(200 * time.Millisecond):
	}
	// Reads go on while the writer waits.
	if got := ix.Len(); got != MaxPendingOps {
		t.Fatalf("Len %d while full, want %d", got, MaxPendingOps)
	}
	ix.gate.Unlock()
	released = true
	must(t, <-returned)
	ix.Drain()
	if st := ix.Stats(); st.Pending != 0 || st.Live != MaxPendingOps+1 {
		t.Fatalf("after drain: %+v", st)
	}
	if m, err := ix.Search([]float32{0, 0}, 1, 0); err != nil || len(m) != 1 || m[0].ID != "last" {
		t.Fatalf("search for the last write: %v %v", m, err)
	}
}

// TestBackgroundSnapshotWithPending: a snapshot and a clone taken while
// writes are pending carry them; the restored index answers like the
// original at once, and all three hold the same graph once drained. Every
// truncation of the snapshot is refused as corrupt.
func TestBackgroundSnapshotWithPending(t *testing.T) {
	const dims, ids = 5, 200
	rng := rand.New(rand.NewPCG(6, 6))
	p := newBGPair(t, Config{Dims: dims, Distance: Cosine, Kind: HNSW, M: 4, EfConstruction: 24, Seed: 2})
	p.randomOps(t, rng, 300, ids, dims)
	p.bg.Drain()
	var snap []byte
	var clone *Index
	func() {
		p.bg.gate.Lock()
		defer p.bg.gate.Unlock()
		p.randomOps(t, rng, 200, ids, dims)
		if p.bg.Pending() == 0 {
			t.Fatal("no pending writes")
		}
		snap = snapshotBytes(t, p.bg)
		clone = p.bg.Clone()
	}()
	if v := snap[4]; v != snapshotVersionPending {
		t.Fatalf("snapshot version %d with pending writes, want %d", v, snapshotVersionPending)
	}
	restored, err := ReadSnapshot(bytes.NewReader(snap))
	must(t, err)
	defer restored.Close()
	defer clone.Close()
	for _, c := range []*Index{restored, clone} {
		if c.Pending() == 0 || c.Len() != p.sync.Len() {
			t.Fatalf("copy: pending %d, len %d, want len %d", c.Pending(), c.Len(), p.sync.Len())
		}
		q := randRow(rng, dims)
		a, err := p.sync.SearchExact(q, 15)
		must(t, err)
		b, err := c.SearchExact(q, 15)
		must(t, err)
		if !slices.Equal(a, b) {
			t.Fatalf("copy answers %v, want %v", b, a)
		}
	}
	p.bg.Drain()
	restored.Drain()
	clone.Drain()
	want := snapshotBytes(t, p.sync)
	for name, c := range map[string]*Index{"original": p.bg, "restored": restored, "clone": clone} {
		if got := snapshotBytes(t, c); !bytes.Equal(got, want) {
			t.Fatalf("%s: drained graph differs from the synchronous one", name)
		}
	}
	for n := 0; n < len(snap); n += 1 + n/50 {
		if _, err := ReadSnapshot(bytes.NewReader(snap[:n])); !errors.Is(err, ErrCorruptSnapshot) {
			t.Fatalf("truncated at %d of %d: %v", n, len(snap), err)
		}
	}
}

// TestBackgroundIndexerGoroutines: an indexer runs only while writes are
// pending, and Close stops one mid-queue; no goroutine outlives either.
func TestBackgroundIndexerGoroutines(t *testing.T) {
	base := runtime.NumGoroutine()
	rng := rand.New(rand.NewPCG(8, 8))
	var idx []*Index
	for range 4 {
		ix := mustNew(t, Config{Dims: 16, Distance: Euclidean, Kind: HNSW, M: 8, EfConstruction: 100, Seed: 1})
		ix.SetBackground(true)
		for i := range 1500 {
			must(t, ix.Upsert(fmt.Sprintf("v%d", i), randRow(rng, 16)))
		}
		idx = append(idx, ix)
	}
	idx[0].Drain()
	for _, ix := range idx[1:] {
		ix.Close() // dropped while indexing
		if err := ix.Upsert("x", randRow(rng, 16)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Upsert after Close: %v, want ErrClosed", err)
		}
		if ix.Len() != 1500 || !ix.Delete("v3") || ix.Len() != 1499 {
			t.Fatalf("reads after Close: len %d", ix.Len())
		}
	}
	waitFor(t, fmt.Sprintf("goroutines back to %d", base), func() bool { return runtime.NumGoroutine() <= base })
	idx[0].Close()
}

// TestSetBackgroundOffDrains: leaving background mode links every pending
// write first; later writes are synchronous again.
func TestSetBackgroundOffDrains(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	p := newBGPair(t, Config{Dims: 8, Distance: InnerProduct, Kind: HNSW, M: 6, EfConstruction: 30, Seed: 4})
	func() {
		p.bg.gate.Lock()
		defer p.bg.gate.Unlock()
		p.randomOps(t, rng, 400, 150, 8)
		if p.bg.Pending() == 0 {
			t.Fatal("nothing pending")
		}
	}()
	p.bg.SetBackground(false)
	if p.bg.Pending() != 0 || p.bg.Background() {
		t.Fatalf("after SetBackground(false): pending %d, background %v", p.bg.Pending(), p.bg.Background())
	}
	p.bg.gate.Lock() // a synchronous write does not need the indexer
	defer p.bg.gate.Unlock()
	p.randomOps(t, rng, 100, 150, 8)
	if p.bg.Pending() != 0 || !bytes.Equal(snapshotBytes(t, p.sync), snapshotBytes(t, p.bg)) {
		t.Fatalf("synchronous writes after background mode: pending %d or a different graph", p.bg.Pending())
	}
}

// TestBackgroundByteBound: large vectors hit MaxPendingBytes before
// MaxPendingOps; the queue stops at the byte bound until the indexer
// makes room.
func TestBackgroundByteBound(t *testing.T) {
	if testing.Short() {
		t.Skip("queues 64 MiB of vectors")
	}
	const dims = MaxDims
	ix := mustNew(t, Config{Dims: dims, Distance: Euclidean, Kind: HNSW, M: 4, EfConstruction: 8, Seed: 1})
	ix.SetBackground(true)
	defer ix.Close()
	opBytes := int64(len("v00000") + 4*dims + pendingOpBytes)
	limit := int(MaxPendingBytes / opBytes)
	ix.gate.Lock()
	released := false
	defer func() {
		if !released {
			ix.gate.Unlock()
		}
	}()
	done := make(chan error, 1)
	go func() {
		v := make([]float32, dims)
		for i := range limit + 5 {
			v[i%dims] = float32(i) // Upsert copies the vector
			if err := ix.Upsert(fmt.Sprintf("v%05d", i), v); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	waitFor(t, fmt.Sprintf("%d pending writes", limit), func() bool { return ix.Pending() == limit })
	select {
	case err := <-done:
		t.Fatalf("writer finished (%v) past the byte bound with the indexer paused", err)
	case <-time.After(200 * time.Millisecond):
	}
	if ix.Pending() != limit {
		t.Fatalf("%d pending, want the byte bound's %d", ix.Pending(), limit)
	}
	ix.gate.Unlock()
	released = true
	must(t, <-done)
	ix.Drain()
	if ix.Len() != limit+5 {
		t.Fatalf("len %d, want %d", ix.Len(), limit+5)
	}
}
