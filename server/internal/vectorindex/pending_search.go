package vectorindex

import (
	"cmp"
	"slices"
)

// pendingView reports whether a search must merge pending writes; if so it
// returns with qmu read-locked and the caller must call ix.qmu.RUnlock.
// With an empty queue (the common case) it costs one atomic load. mu must
// be held (read), so the indexer cannot pop meanwhile.
func (ix *Index) pendingView() bool {
	if ix.npend.Load() == 0 {
		return false
	}
	ix.qmu.RLock()
	if ix.q.pending() == 0 {
		ix.qmu.RUnlock()
		return false
	}
	return true
}

// searchPending answers a search while writes are pending: the graph's
// candidates (or an exact scan when exact is set) without the slots whose
// id has a pending write, merged with an exact scan of the latest pending
// vector of each id. mu and qmu must be held (read).
func (ix *Index) searchPending(sc *scratch, q []float32, k, ef int, exact bool) []Match {
	sc.filter = true
	defer func() { sc.filter = false }()
	qinv := ix.queryNorm(q)
	var graph []item
	switch {
	case exact || ix.g == nil:
		graph = ix.exactTopK(q, k, sc)
	case ix.live > 0:
		if ef == 0 {
			ef = ix.cfg.EfSearch
		}
		graph = ix.searchGraph(sc, q, qinv, max(ef, k), k)
	}
	top := make([]Match, 0, k+1)
	push := func(m Match) {
		if len(top) == k {
			if !worseMatch(top[0], m) {
				return
			}
			top[0] = m
			siftDownWorst(top, 0, worseMatch)
			return
		}
		top = append(top, m)
		siftUpWorst(top, len(top)-1, worseMatch)
	}
	for _, it := range graph {
		push(Match{ID: ix.ids[it.slot], Distance: it.dist})
	}
	var d [1]float32
	for i := ix.q.head; i < len(ix.q.ops); i++ {
		op := &ix.q.ops[i]
		if op.superseded || op.vec == nil {
			continue
		}
		if ix.cfg.Distance == Euclidean {
			l2sqBatch(q, op.vec, d[:])
		} else {
			dotBatch(q, op.vec, d[:])
		}
		dist := d[0]
		switch ix.cfg.Distance {
		case Cosine:
			dist = cosine(dist, qinv, op.inv)
		case InnerProduct:
			dist = -dist
		}
		push(Match{ID: op.id, Distance: dist})
	}
	for i := range top {
		top[i].Distance = ix.external(top[i].Distance)
	}
	slices.SortFunc(top, func(a, b Match) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return top
}

// worseMatch orders the merge heap: larger distance, then larger id.
func worseMatch(a, b Match) bool {
	if a.Distance != b.Distance {
		return a.Distance > b.Distance
	}
	return a.ID > b.ID
}
