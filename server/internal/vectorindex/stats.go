package vectorindex

// Len returns the number of live vectors, pending writes included.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.liveLocked()
}

// liveLocked returns the logical live count; mu must be held.
func (ix *Index) liveLocked() int {
	if ix.npend.Load() == 0 {
		return ix.live
	}
	ix.qmu.RLock()
	defer ix.qmu.RUnlock()
	if ix.q.pending() == 0 {
		return ix.live
	}
	return ix.q.live
}

// Bytes returns an estimate of the memory the index holds, in bytes: vector
// storage, ids, the id map and the HNSW graph.
func (ix *Index) Bytes() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.bytesLocked()
}

func (ix *Index) bytesLocked() int64 {
	const mapEntry = 48 // key header, value and bucket overhead, approximately
	ix.qmu.RLock()
	pend := ix.q.bytes + int64(len(ix.q.latest))*mapEntry
	ix.qmu.RUnlock()
	b := int64(cap(ix.vecs))*4 + int64(cap(ix.invNorms))*4
	b += int64(cap(ix.ids))*16 + ix.idBytes + int64(cap(ix.state)) + int64(cap(ix.free))*4
	b += int64(len(ix.byID)) * mapEntry
	if ix.g != nil {
		b += ix.g.bytes()
	}
	if ix.half != nil {
		b += ix.half.bytes()
	}
	return b + pend
}

// Stats describes an index's contents, for status pages and metrics.
type Stats struct {
	Live       int   // vectors searches can return (same as Len)
	Tombstones int   // deleted HNSW nodes awaiting compaction
	Slots      int   // storage slots, used and free
	MaxLevel   int   // HNSW top level (0 for brute force)
	Bytes      int64 // as Bytes
	Pending    int   // writes not yet linked into the graph (background mode)
}

// Stats returns a consistent snapshot of the index's counters.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Live: ix.liveLocked(), Slots: len(ix.state), Bytes: ix.bytesLocked(), Pending: ix.Pending()}
	if ix.g != nil {
		st.Tombstones, st.MaxLevel = ix.g.tombstones, ix.g.top
	}
	return st
}
