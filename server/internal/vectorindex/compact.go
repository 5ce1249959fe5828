package vectorindex

import "math"

// Tombstones are purged by sweeps. Once tombstones make up 1/compactDivisor
// of the graph, a sweep starts: it seals the current tombstones, then each
// later write repairs a bounded share of the nodes (sweepBudget work units:
// one per slot looked at, repairCost per list rebuilt), so no single write
// stalls the index for long. When the sweep has passed every slot, no live
// node points at a sealed tombstone any more, and their slots are freed.
// Everything runs inside Upsert/Delete in slot order, so every replica
// sweeps at the same points of the operation sequence.
const (
	compactDivisor = 4
	sweepBudget    = 512
	repairCost     = 16
)

// maybeCompact starts or advances a sweep; called after every HNSW write.
func (ix *Index) maybeCompact() {
	g := ix.g
	if g.tombstones == 0 {
		return
	}
	if ix.live == 0 {
		ix.clearStorage()
		return
	}
	if !g.sweeping && g.tombstones*compactDivisor >= ix.live+g.tombstones {
		ix.startSweep()
	}
	if g.sweeping {
		ix.sweep(sweepBudget)
	}
}

// Compact purges every HNSW tombstone now, finishing any sweep in progress.
// Brute-force indexes have nothing to compact.
func (ix *Index) Compact() {
	// Pending writes go first, in order, as the synchronous path would
	// have applied them before this call.
	ix.emu.Lock()
	defer ix.emu.Unlock()
	ix.Drain()
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	g := ix.g
	if g == nil {
		return
	}
	for g.tombstones > 0 {
		if ix.live == 0 {
			ix.clearStorage()
			return
		}
		if !g.sweeping {
			ix.startSweep()
		}
		ix.sweep(math.MaxInt)
	}
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
	if ix.half != nil {
		ix.half.reset()
	}
}

// startSweep seals the current tombstones: they are the ones this sweep
// frees. Tombstones made during the sweep wait for the next one.
func (ix *Index) startSweep() {
	for s, st := range ix.state {
		if st == slotDeleted {
			ix.state[s] = slotSealed
		}
	}
	ix.g.sweeping, ix.g.sweepPos = true, 0
}

// sweep repairs live nodes from the sweep position on, until the budget is
// spent or every slot has been passed, which finishes the sweep.
func (ix *Index) sweep(budget int) {
	g := ix.g
	sc := &g.build
	for budget > 0 && g.sweepPos < len(ix.state) {
		u := int32(g.sweepPos)
		g.sweepPos++
		budget--
		if ix.state[u] != slotLive {
			continue
		}
		for l := 0; l <= int(g.levels[u]); l++ {
			if ix.repair(sc, u, l) {
				budget -= repairCost
			}
		}
	}
	if g.sweepPos >= len(ix.state) {
		ix.finishSweep()
	}
}

// finishSweep frees the sealed tombstones. Live nodes no longer point at
// them; tombstones made during the sweep still may, so those edges go first.
func (ix *Index) finishSweep() {
	g := ix.g
	if ix.state[g.entry] == slotSealed {
		g.entry, g.top = -1, 0
		for s, st := range ix.state {
			if st == slotLive && (g.entry < 0 || int(g.levels[s]) > g.top) {
				g.entry, g.top = int32(s), int(g.levels[s])
			}
		}
	}
	for s, st := range ix.state {
		if st != slotDeleted {
			continue
		}
		for l := 0; l <= int(g.levels[s]); l++ {
			lst := g.list(int32(s), l)
			n := 0
			for _, x := range lst[1 : 1+lst[0]] {
				if ix.state[x] != slotSealed {
					lst[1+n] = x
					n++
				}
			}
			lst[0] = int32(n)
		}
	}
	for s := len(ix.state) - 1; s >= 0; s-- {
		if ix.state[s] == slotSealed {
			g.clearNode(int32(s))
			ix.state[s] = slotFree
			clear(ix.vector(int32(s)))
			ix.free = append(ix.free, int32(s))
			g.tombstones--
		}
	}
	g.sweeping, g.sweepPos = false, 0
}

// repair rebuilds node u's list on one level if it points at a tombstone,
// and reports whether it did. The new candidates are u's live neighbours
// plus the live neighbours of the tombstones it pointed at, pruned with the
// same heuristic as inserts.
func (ix *Index) repair(sc *scratch, u int32, level int) bool {
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
		return false
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
	return true
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
	ep := ix.descend(sc, q, qinv, level, false)
	for _, c := range ix.searchLayer(sc, q, qinv, ep, g.efC, level, false) {
		if c.slot != u {
			out = append(out, c)
		}
	}
	return out
}
