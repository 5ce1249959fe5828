package vectorindex

// compactDivisor sets when tombstones are purged: once they are at least
// 1/compactDivisor of the graph's nodes.
const compactDivisor = 4

// maybeCompact purges tombstones once they make up a large enough share of
// the graph. It runs inside Upsert/Delete, so every replica compacts at the
// same point of the operation sequence.
func (ix *Index) maybeCompact() {
	g := ix.g
	if g.tombstones == 0 {
		return
	}
	if ix.live == 0 {
		ix.clearStorage()
		return
	}
	if g.tombstones*compactDivisor >= ix.live+g.tombstones {
		ix.compact()
	}
}

// Compact purges HNSW tombstones now: it repairs the edges that pointed at
// them and frees their slots. Brute-force indexes have nothing to compact.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.g == nil || ix.g.tombstones == 0 {
		return
	}
	if ix.live == 0 {
		ix.clearStorage()
		return
	}
	ix.compact()
}

// clearStorage drops every slot; used when no live vector is left.
func (ix *Index) clearStorage() {
	clear(ix.ids)
	ix.ids = ix.ids[:0]
	ix.state = ix.state[:0]
	ix.vecs = ix.vecs[:0]
	ix.invNorms = ix.invNorms[:0]
	ix.free = ix.free[:0]
	ix.idBytes = 0
	if ix.g != nil {
		ix.g.reset()
	}
}

// compact repairs every live node whose lists reach a tombstone: its new
// candidates are its live neighbours plus the live neighbours of the
// tombstones it pointed at, pruned with the same heuristic as inserts. Then
// the tombstones' slots are freed for reuse.
func (ix *Index) compact() {
	g := ix.g
	sc := &g.build
	if ix.state[g.entry] != slotLive {
		g.entry, g.top = -1, 0
		for s, st := range ix.state {
			if st == slotLive && (g.entry < 0 || int(g.levels[s]) > g.top) {
				g.entry, g.top = int32(s), int(g.levels[s])
			}
		}
	}
	for u, st := range ix.state {
		if st != slotLive {
			continue
		}
		for l := 0; l <= int(g.levels[u]); l++ {
			ix.repair(sc, int32(u), l)
		}
	}
	for s := len(ix.state) - 1; s >= 0; s-- {
		if ix.state[s] == slotDeleted {
			g.clearNode(int32(s))
			ix.state[s] = slotFree
			clear(ix.vector(int32(s)))
			ix.free = append(ix.free, int32(s))
		}
	}
	g.tombstones = 0
}

// repair rebuilds node u's list on one level if it points at a tombstone.
func (ix *Index) repair(sc *scratch, u int32, level int) {
	g := ix.g
	lst := g.links(u, level)
	dead := false
	for _, x := range lst {
		if ix.state[x] != slotLive {
			dead = true
			break
		}
	}
	if !dead {
		return
	}
	sc.resetVisited(len(ix.state))
	sc.visit(u)
	cand := sc.tmp[:0]
	for _, x := range lst {
		if ix.state[x] == slotLive && sc.visit(x) {
			cand = append(cand, item{ix.distSlots(u, x), x})
		}
	}
	for _, x := range lst {
		if ix.state[x] == slotLive {
			continue
		}
		for _, y := range g.links(x, level) {
			if ix.state[y] == slotLive && sc.visit(y) {
				cand = append(cand, item{ix.distSlots(u, y), y})
			}
		}
	}
	if len(cand) == 0 {
		cand = ix.searchFrom(sc, u, level, cand)
	}
	sortItems(cand)
	kept := ix.selectNeighbours(cand, g.maxLinks(level), sc.sel2[:0])
	g.setLinks(u, level, kept)
	sc.tmp, sc.sel2 = cand, kept
}

// searchFrom finds fresh neighbour candidates for stored node u on a level
// by searching from the entry point, as an insert would; used when every
// edge of u led to tombstones.
func (ix *Index) searchFrom(sc *scratch, u int32, level int, out []item) []item {
	g := ix.g
	q := ix.vector(u)
	var qinv float32
	if ix.cfg.Distance == Cosine {
		qinv = ix.invNorms[u]
	}
	ep := item{ix.distQ(q, qinv, g.entry), g.entry}
	for l := g.top; l > level; l-- {
		ep = ix.greedy(q, qinv, ep, l)
	}
	for _, c := range ix.searchLayer(sc, q, qinv, ep, g.efC, level) {
		if c.slot != u {
			out = append(out, c)
		}
	}
	return out
}
