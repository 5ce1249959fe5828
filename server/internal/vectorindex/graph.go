package vectorindex

import "math"

// maxLevel caps HNSW levels; with M >= 2 a level above it has probability
// below 2^-32.
const maxLevel = 32

// graph is the HNSW structure. Node ids are storage slots. Level 0 lists sit
// in one flat array of m0+1 int32 per slot (a count, then the neighbours);
// the rare upper levels get one small array per node.
type graph struct {
	m, m0, efC int
	ml         float64
	rng        uint64 // splitmix64 state; drawn once per insert

	levels    []uint8
	links0    []int32
	upper     [][]int32 // level l >= 1 at (l-1)*(m+1)
	upperInts int64

	entry      int32 // -1 when the graph is empty
	top        int   // level of the entry node
	tombstones int   // slotDeleted plus slotSealed nodes
	sweeping   bool  // a sweep is purging the sealed tombstones
	sweepPos   int   // next slot the sweep looks at

	build scratch // buffers for inserts and compaction, used by the one writer

	// The insert in progress (see place): its level, and its candidates
	// per level.
	pending int
	cands   [][]uint64 // keys, sorted closest first
}

func newGraph(cfg Config) *graph {
	return &graph{
		m:     cfg.M,
		m0:    2 * cfg.M,
		efC:   cfg.EfConstruction,
		ml:    1 / math.Log(float64(cfg.M)),
		rng:   cfg.Seed,
		entry: -1,
	}
}

// nextRand returns the next splitmix64 value.
func (g *graph) nextRand() uint64 {
	g.rng += 0x9e3779b97f4a7c15
	z := g.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// randomLevel draws a level with P(level >= l) = M^-l.
func (g *graph) randomLevel() int {
	u := float64(g.nextRand()>>11) / (1 << 53) // [0, 1)
	l := int(-math.Log(1-u) * g.ml)
	return min(l, maxLevel)
}

func (g *graph) maxLinks(level int) int {
	if level == 0 {
		return g.m0
	}
	return g.m
}

// grow makes room for n slots.
func (g *graph) grow(n int) {
	for len(g.levels) < n {
		g.levels = append(g.levels, 0)
		g.upper = append(g.upper, nil)
	}
	if need := n * (g.m0 + 1); len(g.links0) < need {
		g.links0 = append(g.links0, make([]int32, need-len(g.links0))...)
	}
}

// initNode gives slot s an empty node of the given level.
func (g *graph) initNode(s int32, level int) {
	g.clearNode(s)
	g.levels[s] = uint8(level)
	if level > 0 {
		g.upper[s] = make([]int32, level*(g.m+1))
		g.upperInts += int64(level * (g.m + 1))
	}
}

// clearNode drops slot s's edges.
func (g *graph) clearNode(s int32) {
	g.links0[int(s)*(g.m0+1)] = 0
	g.upperInts -= int64(len(g.upper[s]))
	g.upper[s] = nil
	g.levels[s] = 0
}

// links returns slot s's neighbours on a level (not a copy).
func (g *graph) links(s int32, level int) []int32 {
	if level == 0 {
		base := int(s) * (g.m0 + 1)
		n := int(g.links0[base])
		return g.links0[base+1 : base+1+n]
	}
	u := g.upper[s]
	base := (level - 1) * (g.m + 1)
	n := int(u[base])
	return u[base+1 : base+1+n]
}

// list returns the count cell and capacity of slot s's list on a level.
func (g *graph) list(s int32, level int) []int32 {
	if level == 0 {
		base := int(s) * (g.m0 + 1)
		return g.links0[base : base+g.m0+1]
	}
	base := (level - 1) * (g.m + 1)
	return g.upper[s][base : base+g.m+1]
}

func (g *graph) setLinks(s int32, level int, sel []item) {
	l := g.list(s, level)
	l[0] = int32(len(sel))
	for i, it := range sel {
		l[i+1] = it.slot
	}
}

// appendLink adds x to slot s's list if there is room.
func (g *graph) appendLink(s int32, level int, x int32) bool {
	l := g.list(s, level)
	n := int(l[0])
	if n+1 >= len(l) {
		return false
	}
	l[n+1] = x
	l[0] = int32(n + 1)
	return true
}

func (g *graph) bytes() int64 {
	return int64(cap(g.levels)) + int64(cap(g.links0))*4 + int64(cap(g.upper))*24 + g.upperInts*4
}

// reset empties the graph, keeping its PRNG state.
func (g *graph) reset() {
	g.levels = g.levels[:0]
	g.links0 = g.links0[:0]
	clear(g.upper)
	g.upper = g.upper[:0]
	g.upperInts = 0
	g.entry = -1
	g.top = 0
	g.tombstones = 0
	g.sweeping, g.sweepPos = false, 0
}
