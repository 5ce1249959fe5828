package vectorindex

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"
)

// Search returns up to k nearest live vectors to q. HNSW indexes search their
// graph with a candidate list of ef (0 means Config.EfSearch; raised to k);
// brute-force indexes scan exactly and ignore ef. Matches are sorted by
// ascending distance, ties by id.
func (ix *Index) Search(q []float32, k, ef int) ([]Match, error) {
	if err := ix.checkQuery(q, k); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if ef < 0 || ef > maxEf {
		return nil, fmt.Errorf("search: ef is %d, must be 0..%d (0 means the index default)", ef, maxEf)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)
	if ix.g == nil {
		return ix.matches(ix.exactTopK(q, k, sc)), nil
	}
	if ix.live == 0 {
		return []Match{}, nil
	}
	if ef == 0 {
		ef = ix.cfg.EfSearch
	}
	res := ix.searchGraph(sc, q, ix.queryNorm(q), max(ef, k))
	if len(res) > k {
		// Equal distances at the cut keep the smaller ids, as exact search does.
		slices.SortFunc(res, func(a, b item) int {
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
			return cmp.Compare(ix.ids[a.slot], ix.ids[b.slot])
		})
		res = res[:k]
	}
	return ix.matches(res), nil
}

// searchGraph descends greedily to level 0 and returns up to ef live
// candidates there, closest first.
func (ix *Index) searchGraph(sc *scratch, q []float32, qinv float32, ef int) []item {
	g := ix.g
	ep := item{ix.distQ(q, qinv, g.entry), g.entry}
	for l := g.top; l > 0; l-- {
		ep = ix.greedy(q, qinv, ep, l)
	}
	return ix.searchLayer(sc, q, qinv, ep, ef, 0)
}

// greedy walks a level towards q until no neighbour is closer.
func (ix *Index) greedy(q []float32, qinv float32, ep item, level int) item {
	for changed := true; changed; {
		changed = false
		for _, n := range ix.g.links(ep.slot, level) {
			c := item{ix.distQ(q, qinv, n), n}
			if closer(c, ep) {
				ep, changed = c, true
			}
		}
	}
	return ep
}

// searchLayer is the HNSW beam search on one level from ep. Tombstoned nodes
// route the search but never enter the results. It returns up to ef live
// candidates sorted closest first, in sc.res.
func (ix *Index) searchLayer(sc *scratch, q []float32, qinv float32, ep item, ef, level int) []item {
	g := ix.g
	state := ix.state
	vecs, dims, kern, distance := ix.vecs, ix.dims, ix.kern, ix.cfg.Distance
	sc.resetVisited(len(state))
	cand, res := sc.cand[:0], sc.res[:0]
	sc.visit(ep.slot)
	cand = pushMin(cand, ep)
	if state[ep.slot] == slotLive {
		res = pushMax(res, ep)
	}
	for len(cand) > 0 {
		c := cand[0]
		if len(res) >= ef && c.dist > res[0].dist {
			break
		}
		cand = popMin(cand)
		if len(cand) > 0 && level == 0 {
			// The next node to expand: its list is read on the next round.
			prefetchLines(unsafe.Pointer(&g.links0[int(cand[0].slot)*(g.m0+1)]), 2)
		}
		// First pass: pick the unvisited neighbours and start loading their
		// vectors, so the memory latency overlaps the distance computations.
		next := sc.next[:0]
		for _, n := range g.links(c.slot, level) {
			if sc.visit(n) {
				next = append(next, n)
				prefetchLines(unsafe.Pointer(&ix.vecs[int(n)*ix.dims]), ix.prefetch)
			}
		}
		sc.next = next
		for _, n := range next {
			// distQ, inlined by hand: this is the hottest loop.
			off := int(n) * dims
			v := vecs[off : off+dims : off+dims]
			var d float32
			switch distance {
			case Euclidean:
				d = kern.l2sq(q, v)
			case Cosine:
				d = cosine(kern.dot(q, v), qinv, ix.invNorms[n])
			default:
				d = -kern.dot(q, v)
			}
			if len(res) >= ef && d >= res[0].dist {
				continue
			}
			cand = pushMin(cand, item{d, n})
			if state[n] == slotLive {
				res = pushMax(res, item{d, n})
				if len(res) > ef {
					res = popMax(res)
				}
			}
		}
	}
	sortItems(res)
	sc.cand, sc.res = cand, res
	return res
}

// An insert runs in three steps. place (write lock) draws the node's level
// and makes it a graph node without edges, or the entry point of an empty
// graph. findNeighbours (read lock) searches every level the node joins
// for its candidates; searching a level reads only that level's edges, and
// nothing else writes meanwhile, so the candidates are exactly those a
// one-step insert would find. link (write lock) picks the neighbours and
// adds the edges both ways.

// place draws slot s's level and adds it as an unlinked node. It reports
// whether the node still needs linking (false for the first node).
func (g *graph) place(s int32) bool {
	level := g.randomLevel()
	g.initNode(s, level)
	if g.entry < 0 {
		g.entry, g.top = s, level
		return false
	}
	g.pending = level
	return true
}

// findNeighbours fills g.cands[l] with slot s's candidates on each level it
// joins, closest first.
func (g *graph) findNeighbours(ix *Index, s int32) {
	q := ix.vector(s)
	var qinv float32
	if ix.cfg.Distance == Cosine {
		qinv = ix.invNorms[s]
	}
	sc := &g.build
	ep := item{ix.distQ(q, qinv, g.entry), g.entry}
	for l := g.top; l > g.pending; l-- {
		ep = ix.greedy(q, qinv, ep, l)
	}
	for len(g.cands) <= g.pending {
		g.cands = append(g.cands, nil)
	}
	for l := min(g.pending, g.top); l >= 0; l-- {
		cands := ix.searchLayer(sc, q, qinv, ep, g.efC, l)
		if len(cands) > 0 {
			ep = cands[0]
		}
		g.cands[l] = append(g.cands[l][:0], cands...)
	}
}

// link connects slot s to the neighbours chosen from its candidates.
func (g *graph) link(ix *Index, s int32) {
	sc := &g.build
	level := g.pending
	for l := min(level, g.top); l >= 0; l-- {
		sel := ix.selectNeighbours(g.cands[l], g.m, sc.sel[:0])
		sc.sel = sel
		g.setLinks(s, l, sel)
		for _, n := range sel {
			ix.linkBack(sc, n.slot, s, n.dist, l)
		}
	}
	if level > g.top {
		g.entry, g.top = s, level
	}
}

// selectNeighbours is the HNSW heuristic: walking cands closest first, keep a
// candidate only if it is closer to the base than to every kept one, so the
// kept edges point in different directions. It appends at most m to out.
func (ix *Index) selectNeighbours(cands []item, m int, out []item) []item {
	for _, c := range cands {
		if len(out) >= m {
			break
		}
		keep := true
		for _, r := range out {
			if ix.distSlots(c.slot, r.slot) < c.dist {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, c)
		}
	}
	return out
}

// linkBack adds the edge n -> s (at distance d) on a level, shrinking n's list
// with the heuristic when it is full.
func (ix *Index) linkBack(sc *scratch, n, s int32, d float32, level int) {
	g := ix.g
	if g.appendLink(n, level, s) {
		return
	}
	tmp := append(sc.tmp[:0], item{d, s})
	for _, x := range g.links(n, level) {
		tmp = append(tmp, item{ix.distSlots(n, x), x})
	}
	sortItems(tmp)
	// The selection must not alias sc.sel, which the caller is iterating.
	kept := ix.selectNeighbours(tmp, g.maxLinks(level), sc.sel2[:0])
	g.setLinks(n, level, kept)
	sc.tmp, sc.sel2 = tmp, kept
}
