package vectorindex

import (
	"cmp"
	"slices"
)

// scratch holds the buffers one search or one insert needs, so a search
// allocates only its result. Searches take them from Index.scratch.
type scratch struct {
	top      []item    // exact top-k heap
	dists    []float32 // exact scan: scores of one block
	candKeys []uint64  // HNSW candidates, min-heap of keys
	resKeys  []uint64  // HNSW results, max-heap of keys
	res      []item    // HNSW results, closest first
	rowDists []float32 // distances to the neighbours in next
	tmp      []item    // neighbour lists being rebuilt (compaction)
	tmpKeys  []uint64  // a full neighbour list being shrunk, as keys
	sel      []item    // neighbour selection of a new node
	sel2     []item    // neighbour selection of a node being relinked
	next     []int32   // unvisited neighbours of the node being expanded
	visited  []uint16  // per slot: epoch of the last visit
	epoch    uint16
	// filter drops slots whose id has a pending write from results
	// (background mode; the search holds qmu). Never set on g.build, so
	// inserts see the graph exactly as the synchronous path does.
	filter bool
}

func (ix *Index) getScratch() *scratch {
	if sc, ok := ix.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

// resetVisited starts a new traversal over n slots. An epoch counter makes
// the reset O(1); the array is cleared only when the counter wraps (every
// 65535 traversals). 16-bit epochs keep the array small (200 KB for 100k
// slots, against the cache the walk's vectors stream through), as a walk
// tests it at random for every neighbour.
func (sc *scratch) resetVisited(n int) {
	if len(sc.visited) < n {
		sc.visited = make([]uint16, n+n/4+16)
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
