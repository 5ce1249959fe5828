package vectorindex

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// maxPrefetchLines bounds the prefetch of one vector; the hardware
// prefetcher streams the rest of a long vector once the first lines arrive.
const maxPrefetchLines = 8

// maxSlots bounds storage so that slot numbers fit the int32 node ids.
const maxSlots = math.MaxInt32 - 1

// slotState says what a storage slot holds.
type slotState uint8

const (
	slotFree    slotState = iota // reusable
	slotLive                     // a vector that searches may return
	slotDeleted                  // an HNSW tombstone: still a graph node, never returned
	slotSealed                   // a tombstone the running sweep will free
)

// Match is one search result.
type Match struct {
	ID       string
	Distance float32
}

// Index is one vector index. Vectors live in one contiguous float32 array,
// one slot of Dims values per vector; slot numbers double as HNSW node ids.
type Index struct {
	// emu serializes callers of Upsert and Delete (and the mode switch).
	// wmu serializes graph writers (Upsert and Delete in synchronous mode,
	// the background indexer, Compact). An HNSW insert finds its
	// neighbours under mu's read lock, so searches run alongside the
	// costly part, and takes the write lock only to link them. See
	// background.go for qmu and the pending queue.
	emu  sync.Mutex
	wmu  sync.Mutex
	mu   sync.RWMutex
	cfg  Config
	dims int

	vecs     []float32   // slot*dims .. slot*dims+dims
	invNorms []float32   // cosine only: 1/|v| per slot, 0 for a zero vector
	ids      []string    // per slot, "" when free
	state    []slotState // per slot
	byID     map[string]int32
	free     []int32 // free slots, reused last-in first-out
	live     int
	idBytes  int64

	g        *graph     // nil for BruteForce
	half     *halfStore // nil unless HNSW with >= halfMinDims (see half.go)
	prefetch int        // cache lines of a vector to prefetch ahead of use
	hpref    int        // the same for a half-precision row
	kern     kernels
	huge     hugeRegions // large arrays given huge pages (hugepage.go)

	scratch sync.Pool // *scratch, per search

	// Background mode (background.go).
	qmu   sync.RWMutex
	qcond *sync.Cond   // on qmu: an op left the queue, or the indexer stopped
	bg    bool         // changed under emu, wmu, mu and qmu; read under emu or qmu
	q     queue        // guarded by qmu
	npend atomic.Int64 // q.pending(), readable without qmu
	gate  sync.Mutex   // the indexer passes it before each op; tests hold it to pause indexing
}

// New returns an empty index for cfg; zero HNSW parameters take defaults.
func New(cfg Config) (*Index, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("new vector index: %w", err)
	}
	ix := &Index{cfg: cfg, dims: cfg.Dims, byID: make(map[string]int32)}
	ix.qcond = sync.NewCond(&ix.qmu)
	ix.kern = kernelSet()
	ix.prefetch = min((cfg.Dims*4+63)/64, maxPrefetchLines)
	ix.hpref = min((cfg.Dims*2+63)/64, maxPrefetchLines)
	if cfg.Kind == HNSW {
		ix.g = newGraph(cfg)
		if cfg.Dims >= halfMinDims {
			ix.half = &halfStore{}
		}
	}
	return ix, nil
}

// Config returns the index's configuration, defaults filled in.
func (ix *Index) Config() Config { return ix.cfg }

// validate checks a vector or query against the index's dimension and for
// non-finite components.
func (ix *Index) validate(what string, v []float32) error {
	if len(v) != ix.dims {
		return fmt.Errorf("%s has %d dimensions, index has %d: %w", what, len(v), ix.dims, ErrDimension)
	}
	if i, ok := checkFinite(v); !ok {
		return fmt.Errorf("%s component %d is %v: only finite numbers are allowed: %w", what, i, v[i], ErrNotFinite)
	}
	return nil
}

func validateID(id string) error {
	if len(id) == 0 || len(id) > MaxIDBytes {
		return fmt.Errorf("vector id is %d bytes, must be 1..%d: %w", len(id), MaxIDBytes, ErrInvalidID)
	}
	return nil
}

// Upsert stores vec under id, replacing any vector already stored there.
// The vector is copied.
func (ix *Index) Upsert(id string, vec []float32) error {
	if err := validateID(id); err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	if err := ix.validate("vector", vec); err != nil {
		return fmt.Errorf("upsert %q: %w", id, err)
	}
	ix.emu.Lock()
	defer ix.emu.Unlock()
	if ix.bg {
		_, err := ix.enqueue(id, vec)
		return err
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	return ix.applyUpsert(id, vec, nil)
}

// applyUpsert is the synchronous upsert; wmu must be held. done, if set,
// runs under mu's write lock in the section that makes the write visible
// in the graph (the background indexer pops its queue there).
func (ix *Index) applyUpsert(id string, vec []float32, done func()) error {
	s, err := ix.store(id, vec, done)
	if err != nil || s < 0 || ix.g == nil {
		return err
	}
	// HNSW: find the new node's neighbours while searches go on (only this
	// writer changes the graph, so it holds still), then link them.
	ix.mu.RLock()
	ix.g.findNeighbours(ix, s)
	ix.mu.RUnlock()
	ix.mu.Lock()
	ix.g.link(ix, s)
	ix.maybeCompact()
	if done != nil {
		done()
	}
	ix.mu.Unlock()
	return nil
}

// store puts vec under id in a slot and returns the slot that HNSW must
// link, or -1 when there is nothing to link (an unchanged vector, a brute
// force index, the first node of a graph); done runs before it returns -1.
func (ix *Index) store(id string, vec []float32, done func()) (s int32, err error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if done != nil {
		defer func() {
			if s < 0 {
				done()
			}
		}()
	}
	if len(ix.free) == 0 && len(ix.state) >= maxSlots {
		return -1, fmt.Errorf("upsert %q: index holds %d slots, the most it can: %w", id, len(ix.state), ErrFull)
	}
	if old, ok := ix.byID[id]; ok {
		if slices.Equal(ix.vector(old), vec) {
			return -1, nil
		}
		if ix.g == nil {
			ix.setVector(old, vec)
			return -1, nil
		}
		// A moved HNSW node is a tombstone plus a fresh node: its old edges
		// describe the old position.
		ix.tombstone(old)
	}
	s = ix.allocSlot()
	ix.ids[s] = id
	ix.state[s] = slotLive
	ix.byID[id] = s
	ix.idBytes += int64(len(id))
	ix.live++
	ix.setVector(s, vec)
	if ix.g == nil {
		return -1, nil
	}
	if !ix.g.place(s) {
		ix.maybeCompact()
		return -1, nil
	}
	return s, nil
}

// Delete removes id and reports whether it was present.
func (ix *Index) Delete(id string) bool {
	ix.emu.Lock()
	defer ix.emu.Unlock()
	if ix.bg {
		existed, _ := ix.enqueue(id, nil)
		return existed
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	return ix.applyDelete(id, nil)
}

// applyDelete is the synchronous delete; wmu must be held. done, if set,
// runs under mu's write lock with the change.
func (ix *Index) applyDelete(id string, done func()) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if done != nil {
		defer done()
	}
	s, ok := ix.byID[id]
	if !ok {
		return false
	}
	if ix.g == nil {
		ix.release(s)
		ix.free = append(ix.free, s)
		return true
	}
	ix.tombstone(s)
	ix.maybeCompact()
	return true
}

// Get returns a copy of the vector stored under id.
func (ix *Index) Get(id string) ([]float32, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.npend.Load() > 0 {
		ix.qmu.RLock()
		seq, ok := ix.q.latest[id]
		var vec []float32
		if ok {
			vec = ix.q.at(seq).vec
		}
		ix.qmu.RUnlock()
		if ok {
			return slices.Clone(vec), vec != nil
		}
	}
	s, ok := ix.byID[id]
	if !ok {
		return nil, false
	}
	return slices.Clone(ix.vector(s)), true
}

// vector returns slot s's stored values (not a copy).
func (ix *Index) vector(s int32) []float32 {
	off := int(s) * ix.dims
	return ix.vecs[off : off+ix.dims : off+ix.dims]
}

func (ix *Index) setVector(s int32, vec []float32) {
	copy(ix.vector(s), vec)
	ix.deriveVector(s)
}

// deriveVector computes what the index keeps about slot s's stored vector
// besides its values: the cosine inverse norm, the half-precision copy.
func (ix *Index) deriveVector(s int32) {
	vec := ix.vector(s)
	inv := float32(1)
	if ix.cfg.Distance == Cosine {
		ix.invNorms[s] = invNorm(vec)
		inv = ix.invNorms[s]
	}
	if ix.half != nil {
		ix.half.set(s, vec, inv)
	}
}

// allocSlot returns a free slot, growing storage when none is left.
func (ix *Index) allocSlot() int32 {
	if n := len(ix.free); n > 0 {
		s := ix.free[n-1]
		ix.free = ix.free[:n-1]
		return s
	}
	s := int32(len(ix.ids))
	ix.ids = append(ix.ids, "")
	ix.state = append(ix.state, slotFree)
	ix.vecs = slices.Grow(ix.vecs, ix.dims)[:len(ix.vecs)+ix.dims]
	if ix.cfg.Distance == Cosine {
		ix.invNorms = append(ix.invNorms, 0)
	}
	if ix.g != nil {
		ix.g.grow(len(ix.ids))
	}
	if ix.half != nil {
		ix.half.grow(len(ix.ids), ix.dims)
	}
	ix.adviseLarge()
	return s
}

// reserve sizes storage for up to n slots so that a restore does not grow
// it step by step. The reservation is capped (256 MiB of vectors): past
// that, growth costs little, and a damaged count cannot reserve much.
// The arrays are allocated untouched (see reserveCap) and advised for huge
// pages before anything writes them.
func (ix *Index) reserve(n int) {
	n = min(n, (256<<20)/(4*ix.dims))
	if len(ix.byID) == 0 {
		ix.byID = make(map[string]int32, n)
	}
	ix.vecs = reserveCap(ix.vecs, n*ix.dims)
	ix.ids = reserveCap(ix.ids, n)
	ix.state = reserveCap(ix.state, n)
	if ix.cfg.Distance == Cosine {
		ix.invNorms = reserveCap(ix.invNorms, n)
	}
	if g := ix.g; g != nil {
		g.levels = reserveCap(g.levels, n)
		g.upper = reserveCap(g.upper, n)
		g.links0 = reserveCap(g.links0, n*(g.m0+1))
	}
	if ix.half != nil {
		ix.half.reserve(n, ix.dims)
	}
	ix.adviseLarge()
}

// reserveCap returns s with room for n more elements. An empty s gets a
// fresh array that nothing has written: slices.Grow clears the room it
// adds, and on a large array that write faults every 4 KiB page in before
// adviseLarge can ask for huge pages, which MADV_COLLAPSE must then copy
// (on 100k x 128, 84 MB: most of a restore's time in the kernel). Fresh
// from the allocator, the pages fault in as huge pages on first write.
func reserveCap[S ~[]E, E any](s S, n int) S {
	if len(s) == 0 && cap(s) < n {
		return make(S, 0, n)
	}
	return slices.Grow(s, n)
}

// release forgets the id held by a live slot and marks the slot free; the
// caller decides when the slot may be reused.
func (ix *Index) release(s int32) {
	id := ix.ids[s]
	delete(ix.byID, id)
	ix.idBytes -= int64(len(id))
	ix.ids[s] = ""
	if ix.state[s] == slotLive {
		ix.live--
	}
	ix.state[s] = slotFree
	clear(ix.vector(s))
}

// tombstone hides a live HNSW node from searches while it keeps routing them.
func (ix *Index) tombstone(s int32) {
	id := ix.ids[s]
	delete(ix.byID, id)
	ix.idBytes -= int64(len(id))
	ix.ids[s] = ""
	ix.state[s] = slotDeleted
	ix.live--
	ix.g.tombstones++
}
