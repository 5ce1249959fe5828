package vectorindex

import (
	"cmp"
	"math"
	"slices"
)

// The index ranks by an internal distance that orders like the protocol's
// distance but is cheaper: squared euclidean instead of euclidean. Cosine and
// inner product are the protocol's values already.

// queryNorm returns what distQ needs about a query besides its values.
func (ix *Index) queryNorm(q []float32) float32 {
	if ix.cfg.Distance == Cosine {
		return invNorm(q)
	}
	return 0
}

// distQ returns the internal distance between query q (with inverse norm
// qinv, cosine only) and slot s.
func (ix *Index) distQ(q []float32, qinv float32, s int32) float32 {
	off := int(s) * ix.dims
	v := ix.vecs[off : off+ix.dims : off+ix.dims]
	switch ix.cfg.Distance {
	case Euclidean:
		return ix.kern.l2sq(q, v)
	case Cosine:
		return cosine(ix.kern.dot(q, v), qinv, ix.invNorms[s])
	default:
		return -ix.kern.dot(q, v)
	}
}

// distSlots returns the internal distance between two stored vectors.
func (ix *Index) distSlots(a, b int32) float32 {
	var qinv float32
	if ix.cfg.Distance == Cosine {
		qinv = ix.invNorms[a]
	}
	return ix.distQ(ix.vector(a), qinv, b)
}

// cosine turns a dot product and two inverse norms into 1 - cos. A zero
// vector has inverse norm 0, which gives exactly 1. Rounding can push the
// value a hair outside [0, 2]; it is clamped back.
func cosine(d, ainv, binv float32) float32 {
	c := 1 - d*ainv*binv
	return min(max(c, 0), 2)
}

// external converts an internal distance into the protocol's distance.
func (ix *Index) external(d float32) float32 {
	if ix.cfg.Distance == Euclidean {
		return float32(math.Sqrt(float64(d)))
	}
	return d
}

// item is a candidate: an internal distance and a slot.
type item struct {
	dist float32
	slot int32
}

// matches converts candidates into sorted Matches: ascending distance, ties
// by id.
func (ix *Index) matches(items []item) []Match {
	out := make([]Match, len(items))
	for i, it := range items {
		out[i] = Match{ID: ix.ids[it.slot], Distance: ix.external(it.dist)}
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
