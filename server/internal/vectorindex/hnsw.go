package vectorindex

import (
	"cmp"
	"fmt"
	"slices"
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
	if ix.pendingView() {
		defer ix.qmu.RUnlock()
		return ix.searchPending(sc, q, k, ef, false), nil
	}
	if ix.live == 0 {
		return []Match{}, nil
	}
	if ef == 0 {
		ef = ix.cfg.EfSearch
	}
	res := ix.searchGraph(sc, q, ix.queryNorm(q), max(ef, k), k)
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
	ep := ix.descend(sc, q, qinv, g.pending, false)
	for len(g.cands) <= g.pending {
		g.cands = append(g.cands, nil)
	}
	for l := min(g.pending, g.top); l >= 0; l-- {
		cands := append(g.cands[l][:0], ix.searchLayerKeys(sc, q, qinv, ep, g.efC, l, false)...)
		slices.Sort(cands) // closest first
		if len(cands) > 0 {
			ep = keyItem(cands[0])
		}
		g.cands[l] = cands
	}
}

// link connects slot s to the neighbours chosen from its candidates.
func (g *graph) link(ix *Index, s int32) {
	sc := &g.build
	level := g.pending
	for l := min(level, g.top); l >= 0; l-- {
		sel := ix.selectSorted(g.cands[l], g.m, sc.sel[:0])
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

// selectSorted is selectNeighbours over candidate keys sorted closest
// first. The selection usually walks all of them: on clustered data the
// heuristic keeps few, so m is rarely reached (10k x 64, efConstruction
// 200: 210 candidates looked at per insert), and one sort costs less
// than popping them from a heap one at a time.
func (ix *Index) selectSorted(keys []uint64, m int, out []item) []item {
	for _, k := range keys {
		if len(out) >= m {
			break
		}
		c := keyItem(k)
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
	links := g.links(n, level)
	var ninv float32
	if ix.cfg.Distance == Cosine {
		ninv = ix.invNorms[n]
	}
	dists := ix.rowDists(sc, ix.vector(n), ninv, links, false)
	keys := append(sc.tmpKeys[:0], packKey(distBits(d), s))
	for i, x := range links {
		keys = append(keys, packKey(distBits(dists[i]), x))
	}
	slices.Sort(keys)
	// The selection must not alias sc.sel, which the caller is iterating.
	kept := ix.selectSorted(keys, g.maxLinks(level), sc.sel2[:0])
	g.setLinks(n, level, kept)
	sc.tmpKeys, sc.sel2 = keys, kept
}
