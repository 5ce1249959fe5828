package vectorindex

import (
	"math"
	"unsafe"
)

// rescore replaces the walk's half-precision distances of res (closest
// first) by the float32 ones. For Euclidean indexes it re-scores only the
// candidates that can still be among the k nearest: the first k, then
// those whose distance, bounded from below from the half-precision one, is
// not above the k-th re-scored distance. Each skipped candidate is
// strictly farther than k returned ones, so the k nearest, their distances
// and their order (ties included) are exactly those of re-scoring all; a
// re-scored row is a cold float32 vector (8 cache lines at 128 dims), and
// at ef 32, k 10 most of the rest are skipped. It returns the re-scored
// candidates, in no particular order.
func (ix *Index) rescore(sc *scratch, q []float32, qinv float32, res []item, k int) []item {
	all := ix.cfg.Distance != Euclidean || k >= len(res)
	n := len(res)
	if !all {
		n = k
	}
	dists := ix.rescoreRows(sc, q, qinv, res[:n])
	kth := float32(0)
	for i, d := range dists {
		res[i].dist = d
		kth = max(kth, d)
	}
	if all {
		return res
	}
	// Candidates past the k-th that may beat it go to the front, after
	// the first k.
	h := ix.half
	kept := res[:k]
	errScale := halfErrScale(ix.dims)
	relSlack := float64(ix.dims) * 0x1p-22
	for _, it := range res[k:] {
		if halfL2LowerBound(it.dist, h.factor[it.slot], errScale, relSlack) <= kth {
			kept = append(kept, it)
		}
	}
	if len(kept) > k {
		for i, d := range ix.rescoreRows(sc, q, qinv, kept[k:]) {
			kept[k+i].dist = d
		}
	}
	return kept
}

// rescoreRows returns the float32 distances from q to the slots of items.
func (ix *Index) rescoreRows(sc *scratch, q []float32, qinv float32, items []item) []float32 {
	rows := sc.next[:0]
	for _, it := range items {
		rows = append(rows, it.slot)
	}
	sc.next = rows
	// These float32 rows are cold (the walk read the halfs): ask for all
	// of them at once so their fetches overlap.
	prefetchRows(unsafe.Pointer(unsafe.SliceData(ix.vecs)), 4*ix.dims, rows, (4*ix.dims+63)/64)
	return ix.rowDists(sc, q, qinv, rows, false)
}

// halfErrScale bounds how far a stored half-precision row is from its
// vector x, per unit of the row's factor f (its largest magnitude): each
// value x_i/f is rounded to binary16 with a relative error of at most
// 2^-11 (plus 2^-24 for the division), or an absolute one of 2^-25 below
// binary16's normal range, and |x_i| <= f, so |x - f·h| <= f·√dims·(2^-11 +
// 2^-23).
func halfErrScale(dims int) float64 {
	return math.Sqrt(float64(dims)) * (0x1p-11 + 0x1p-23)
}

// halfL2LowerBound returns a number no larger than the float32 squared
// distance the exact kernel computes for a row whose half-precision
// squared distance came out as hd, with factor f. By the triangle
// inequality |q - x| >= |q - f·h| - |x - f·h|; relSlack covers the
// rounding of both kernels' sums (relative, a few dims·2^-24 at most).
func halfL2LowerBound(hd, f float32, errScale, relSlack float64) float32 {
	r := math.Sqrt(float64(hd)/(1+relSlack)) - float64(f)*errScale
	if r <= 0 {
		return 0
	}
	return float32(r * r * (1 - relSlack) * (1 - 0x1p-23))
}
