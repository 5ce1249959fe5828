package vectorindex

import (
	"maps"
	"slices"
	"sync"
)

// Clone returns a deep copy of the index that shares nothing with it. A
// replicated state machine can clone at snapshot time (a few memory copies)
// and write the clone's snapshot while the original keeps applying writes.
func (ix *Index) Clone() *Index {
	ix.emu.Lock() // no enqueue meanwhile
	defer ix.emu.Unlock()
	ix.wmu.Lock() // not between the steps of an insert
	defer ix.wmu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.qmu.RLock()
	defer ix.qmu.RUnlock()
	c := &Index{
		cfg:      ix.cfg,
		dims:     ix.dims,
		vecs:     slices.Clone(ix.vecs),
		invNorms: slices.Clone(ix.invNorms),
		ids:      slices.Clone(ix.ids),
		state:    slices.Clone(ix.state),
		byID:     maps.Clone(ix.byID),
		free:     slices.Clone(ix.free),
		live:     ix.live,
		idBytes:  ix.idBytes,
		prefetch: ix.prefetch,
		hpref:    ix.hpref,
		kern:     ix.kern,
	}
	c.qcond = sync.NewCond(&c.qmu)
	// Pending writes are shared: their vectors are never changed once
	// queued. The clone's indexer starts on its next write or Drain.
	c.bg = ix.bg
	c.q = queue{
		ops:     slices.Clone(ix.q.ops[ix.q.head:]),
		seqHead: ix.q.seqHead,
		latest:  maps.Clone(ix.q.latest),
		bytes:   ix.q.bytes,
		live:    ix.q.live,
	}
	c.npend.Store(int64(c.q.pending()))
	if c.byID == nil {
		c.byID = make(map[string]int32)
	}
	if ix.half != nil {
		c.half = ix.half.clone()
	}
	if g := ix.g; g != nil {
		cg := &graph{
			m: g.m, m0: g.m0, efC: g.efC, ml: g.ml, rng: g.rng,
			levels:     slices.Clone(g.levels),
			links0:     slices.Clone(g.links0),
			upper:      make([][]int32, len(g.upper)),
			upperInts:  g.upperInts,
			entry:      g.entry,
			top:        g.top,
			tombstones: g.tombstones,
			sweeping:   g.sweeping,
			sweepPos:   g.sweepPos,
		}
		for i, u := range g.upper {
			cg.upper[i] = slices.Clone(u)
		}
		c.g = cg
	}
	// No huge pages here: a clone is written out as a snapshot, read
	// once in order, and asking for them (a collapse of every page)
	// would lengthen the time writes wait on the locks above. Its arrays
	// ask when they next grow.
	return c
}

// CheckVector reports whether vec could be stored: the right dimension and
// only finite values. A leader can check a write before proposing it.
func (ix *Index) CheckVector(vec []float32) error { return ix.validate("vector", vec) }

// CheckQuery reports whether Search would accept q and k.
func (ix *Index) CheckQuery(q []float32, k int) error { return ix.checkQuery(q, k) }

// CheckID reports whether id is a valid vector id (1..MaxIDBytes bytes).
func CheckID(id string) error { return validateID(id) }
