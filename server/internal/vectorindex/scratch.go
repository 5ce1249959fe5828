package vectorindex

import (
	"cmp"
	"slices"
)

// scratch holds the buffers one search or one insert needs, so a search
// allocates only its result. Searches take them from Index.scratch.
type scratch struct {
	top     []item    // exact top-k heap
	dists   []float32 // exact scan: scores of one block
	cand    []item    // HNSW candidates, min-heap
	res     []item    // HNSW results, max-heap
	tmp     []item    // neighbour lists being rebuilt
	sel     []item    // neighbour selection of a new node
	sel2    []item    // neighbour selection of a node being relinked
	next    []int32   // unvisited neighbours of the node being expanded
	visited []uint32  // per slot: epoch of the last visit
	epoch   uint32
}

func (ix *Index) getScratch() *scratch {
	if sc, ok := ix.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

// resetVisited starts a new traversal over n slots. An epoch counter makes
// the reset O(1); the array is cleared only when the counter wraps.
func (sc *scratch) resetVisited(n int) {
	if len(sc.visited) < n {
		sc.visited = make([]uint32, n+n/4+16)
		sc.epoch = 0
	}
	sc.epoch++
	if sc.epoch == 0 {
		clear(sc.visited)
		sc.epoch = 1
	}
}

// visit marks slot s and reports whether it was unvisited.
func (sc *scratch) visit(s int32) bool {
	if sc.visited[s] == sc.epoch {
		return false
	}
	sc.visited[s] = sc.epoch
	return true
}

// closer orders candidates by distance, then slot, so that every heap and
// sort is deterministic.
func closer(a, b item) bool {
	return a.dist < b.dist || (a.dist == b.dist && a.slot < b.slot)
}

func cmpItem(a, b item) int {
	if c := cmp.Compare(a.dist, b.dist); c != 0 {
		return c
	}
	return cmp.Compare(a.slot, b.slot)
}

func sortItems(h []item) { slices.SortFunc(h, cmpItem) }

// pushMin adds x to a min-heap (closest at the root).
func pushMin(h []item, x item) []item {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !closer(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

// popMin removes the root of a min-heap.
func popMin(h []item) []item {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && closer(h[r], h[l]) {
			c = r
		}
		if !closer(h[c], h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	return h
}

// pushMax adds x to a max-heap (farthest at the root).
func pushMax(h []item, x item) []item {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !closer(h[p], h[i]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

// popMax removes the root of a max-heap.
func popMax(h []item) []item {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && closer(h[l], h[r]) {
			c = r
		}
		if !closer(h[i], h[c]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	return h
}
