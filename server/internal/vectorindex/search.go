package vectorindex

import (
	"slices"
	"unsafe"
)

// searchGraph descends greedily to level 0 and returns up to ef live
// candidates there, closest first, for a search of the k nearest. With a
// half-precision copy the walk uses it, and the candidates it ends with are
// re-scored exactly: their distances are the float32 ones, their order is
// left to the caller, and (Euclidean) candidates that provably cannot be
// among the k nearest are left out (see rescore.go).
func (ix *Index) searchGraph(sc *scratch, q []float32, qinv float32, ef, k int) []item {
	half := ix.half != nil
	ep := ix.descend(sc, q, qinv, 0, half)
	res := ix.searchLayer(sc, q, qinv, ep, ef, 0, half)
	if half {
		res = ix.rescore(sc, q, qinv, res, k)
	}
	return res
}

// descend walks greedily from the entry point down to level `to`+1 and
// returns the closest node found, where the search of level `to` starts.
// Nodes already compared on the way are not compared again: one that was
// not closer than the walk's position then cannot be closer later, as the
// position only improves, so skipping it changes nothing but the time.
// half says whether to use the half-precision copy.
func (ix *Index) descend(sc *scratch, q []float32, qinv float32, to int, half bool) item {
	g := ix.g
	sc.resetVisited(len(ix.state))
	sc.visit(g.entry)
	sc.next = append(sc.next[:0], g.entry)
	ep := item{ix.rowDists(sc, q, qinv, sc.next, half)[0], g.entry}
	for l := g.top; l > to; l-- {
		ep = ix.greedy(sc, q, qinv, ep, l, half)
	}
	return ep
}

// greedy walks a level towards q until no neighbour is closer.
func (ix *Index) greedy(sc *scratch, q []float32, qinv float32, ep item, level int, half bool) item {
	state := ix.state
	for changed := true; changed; {
		changed = false
		next := sc.next[:0]
		for _, n := range ix.g.links(ep.slot, level) {
			_ = state[n] // the row kernels trust that n is a stored slot
			if sc.visit(n) {
				next = append(next, n)
			}
		}
		sc.next = next
		dists := ix.rowDists(sc, q, qinv, next, half)
		for i, n := range next {
			if c := (item{dists[i], n}); closer(c, ep) {
				ep, changed = c, true
			}
		}
	}
	return ep
}

// rowDists returns the internal distances from q to the given slots, in
// sc.rowDists (one kernel call for the whole list): exact, or from the
// half-precision copy when half is set.
func (ix *Index) rowDists(sc *scratch, q []float32, qinv float32, rows []int32, half bool) []float32 {
	if len(ix.vecs) < len(ix.state)*ix.dims {
		panic("vectorindex: vector storage smaller than the slot table")
	}
	dists := slices.Grow(sc.rowDists[:0], len(rows))[:len(rows)]
	sc.rowDists = dists
	if half {
		ix.halfDists(q, qinv, rows, dists)
		return dists
	}
	switch ix.cfg.Distance {
	case Euclidean:
		l2sqRows(q, ix.vecs, rows, dists)
	case Cosine:
		dotRows(q, ix.vecs, rows, dists)
		invNorms := ix.invNorms
		for i, n := range rows {
			dists[i] = cosine(dists[i], qinv, invNorms[n])
		}
	default:
		dotRows(q, ix.vecs, rows, dists)
		for i := range dists {
			dists[i] = -dists[i]
		}
	}
	return dists
}

// searchLayer is the HNSW beam search on one level from ep. Tombstoned nodes
// route the search but never enter the results. It returns up to ef live
// candidates sorted closest first, in sc.res.
func (ix *Index) searchLayer(sc *scratch, q []float32, qinv float32, ep item, ef, level int, half bool) []item {
	res := ix.searchLayerKeys(sc, q, qinv, ep, ef, level, half)
	slices.Sort(res)
	out := sc.res[:0]
	for _, k := range res {
		out = append(out, keyItem(k))
	}
	sc.res = out
	return out
}

// searchLayerKeys is searchLayer returning its candidates as keys (see
// keys.go, they order exactly like closer) in a max-heap, in sc.resKeys:
// an insert consumes only the closest few, so it need not sort them all.
func (ix *Index) searchLayerKeys(sc *scratch, q []float32, qinv float32, ep item, ef, level int, half bool) []uint64 {
	g := ix.g
	state := ix.state
	filter := sc.filter // held in a register: the hot loop tests it per candidate
	sc.resetVisited(len(state))
	cand, res := sc.candKeys[:0], sc.resKeys[:0]
	sc.visit(ep.slot)
	epKey := packKey(distBits(ep.dist), ep.slot)
	cand = pushMinKey(cand, epKey)
	if state[ep.slot] == slotLive && !(filter && ix.hidden(ep.slot)) {
		res = pushMaxKey(res, epKey)
	}
	for len(cand) > 0 {
		c := cand[0]
		if len(res) >= ef && keyBits(c) > keyBits(res[0]) {
			break
		}
		cand = popMinKey(cand)
		if len(cand) > 0 && level == 0 {
			// The next node to expand: its list is read on the next round.
			prefetchLines(unsafe.Pointer(&g.links0[int(uint32(cand[0]))*(g.m0+1)]), 2)
		}
		// Pick the unvisited neighbours and start loading their vectors,
		// so the memory latency overlaps the distance computations.
		links := g.links(int32(uint32(c)), level)
		next := slices.Grow(sc.next[:0], len(links))[:len(links)]
		next = next[:unvisited(links, next, sc.visited, sc.epoch, len(state))]
		sc.next = next
		if len(next) == 0 {
			continue
		}
		if half {
			prefetchRows(unsafe.Pointer(unsafe.SliceData(ix.half.halfs)), 2*ix.dims, next, ix.hpref)
		} else {
			prefetchRows(unsafe.Pointer(unsafe.SliceData(ix.vecs)), 4*ix.dims, next, ix.prefetch)
		}
		dists := ix.rowDists(sc, q, qinv, next, half)
		for i, n := range next {
			b := distBits(dists[i])
			if len(res) >= ef && b >= keyBits(res[0]) {
				continue
			}
			k := packKey(b, n)
			cand = pushMinKey(cand, k)
			if state[n] == slotLive && !(filter && ix.hidden(n)) {
				res = pushMaxKey(res, k)
				if len(res) > ef {
					res = popMaxKey(res)
				}
			}
		}
	}
	sc.candKeys, sc.resKeys = cand, res
	return res
}

// unvisited copies the links not visited in this traversal (epoch) to
// next, in order, marks them visited, and returns how many it copied;
// next must hold len(links). It runs without a branch on the visited
// test: every link is written and marked, and the count moves past the
// unvisited ones only, as most links are visited already, at random, and
// a branch mispredicts. Its own function, so that its loop keeps its
// values in registers. Every link must be below nslots (the row kernels
// trust that a link is a stored slot).
//
//go:noinline
func unvisited(links, next []int32, visited []uint16, epoch uint16, nslots int) int {
	next = next[:len(links)]
	j := 0
	for _, n := range links {
		if uint(n) >= uint(nslots) {
			panic("vectorindex: a link past the slot table")
		}
		seen := visited[n]
		visited[n] = epoch
		next[j] = n
		if seen != epoch {
			j++
		}
	}
	return j
}

// halfDists sets dists[i] to the internal distance from q to rows[i]
// computed from the half-precision copy.
func (ix *Index) halfDists(q []float32, qinv float32, rows []int32, dists []float32) {
	h := ix.half
	if len(h.halfs) < len(ix.state)*ix.dims || len(h.factor) < len(ix.state) {
		panic("vectorindex: half-precision copy smaller than the slot table")
	}
	switch ix.cfg.Distance {
	case Euclidean:
		l2sqHalfRows(q, h.halfs, h.factor, rows, dists)
	case Cosine:
		dotHalfRows(q, h.halfs, rows, dists)
		for i, n := range rows {
			dists[i] = cosine(dists[i], qinv, h.factor[n])
		}
	default:
		dotHalfRows(q, h.halfs, rows, dists)
		for i, n := range rows {
			dists[i] = -dists[i] * h.factor[n]
		}
	}
}
