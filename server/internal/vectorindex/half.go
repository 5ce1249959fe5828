package vectorindex

import (
	"math"
	"slices"
)

// Large HNSW vectors keep a second, half-precision copy that queries walk
// the graph with: a search is bound by fetching each candidate's vector
// (3 KiB at 768 dimensions), and the copy halves those bytes. Each slot's
// values are divided by their largest magnitude before rounding to IEEE
// binary16, so any finite float32 vector fits, with a relative rounding
// of at most 2^-11 per value; the scale goes back in as one factor per
// slot. The walk's final candidates are re-scored from the float32 vectors,
// so returned distances and their order are exact; only which nodes the
// walk visits can differ from a float32 walk, by a near-tie.
//
// Inserts never use the copy: the graph is built from the float32 vectors
// alone, exactly as before, so replicas build identical graphs.

// halfMinDims is the dimension from which HNSW indexes keep the copy.
// At 128 dimensions (512 bytes, 8 cache lines) the walk is still bound by
// fetching: on 100k x 128 the copy made searches 9-13% faster at the same
// recall (alternated in one process). Below it a vector is a few cache
// lines, the walk is bound by its own bookkeeping rather than by fetching,
// and the copy would only cost memory.
const halfMinDims = 128

// halfStore is the half-precision copy: halfs per slot, and per slot the
// factor that turns a dot product with the stored halfs into the query's
// dot product with the vector (cosine: with the unit vector).
type halfStore struct {
	halfs  []uint16
	factor []float32
}

func (h *halfStore) bytes() int64 { return int64(cap(h.halfs))*2 + int64(cap(h.factor))*4 }

// grow makes room for n slots of dims values.
func (h *halfStore) grow(n, dims int) {
	if need := n * dims; len(h.halfs) < need {
		h.halfs = append(h.halfs, make([]uint16, need-len(h.halfs))...)
	}
	for len(h.factor) < n {
		h.factor = append(h.factor, 0)
	}
}

func (h *halfStore) reserve(n, dims int) {
	h.halfs = reserveCap(h.halfs, n*dims)
	h.factor = reserveCap(h.factor, n)
}

func (h *halfStore) reset() {
	h.halfs, h.factor = h.halfs[:0], h.factor[:0]
}

func (h *halfStore) clone() *halfStore {
	return &halfStore{halfs: slices.Clone(h.halfs), factor: slices.Clone(h.factor)}
}

// set stores slot s's copy of vec; inv is 1/|vec| for cosine, 1 otherwise.
func (h *halfStore) set(s int32, vec []float32, inv float32) {
	dims := len(vec)
	dst := h.halfs[int(s)*dims : (int(s)+1)*dims]
	peak := peakAbs(vec)
	if peak == 0 {
		clear(dst)
		h.factor[s] = 0
		return
	}
	toHalfRow(vec, peak, dst)
	h.factor[s] = peak * inv
}

// peakAbsGeneric is peakAbs in pure Go.
func peakAbsGeneric(v []float32) float32 {
	var peak float32
	for _, x := range v {
		peak = max(peak, abs32(x))
	}
	return peak
}

// toHalfRowGeneric is toHalfRow in pure Go.
func toHalfRowGeneric(v []float32, peak float32, dst []uint16) {
	dst = dst[:len(v)]
	for i, x := range v {
		dst[i] = toHalf(x / peak)
	}
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// toHalf rounds f to the nearest binary16 value, ties to even. Values
// beyond the binary16 range become infinities; the copy only stores values
// of magnitude <= 1, where the rounding is the only loss.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b&0x7fffffff > 0x7f800000: // NaN
		return sign | 0x7e00
	case exp >= 31: // too large, or infinite
		return sign | 0x7c00
	case exp <= 0: // a binary16 subnormal (units of 2^-24), or zero
		shift := uint(14 - exp)
		if shift > 24 {
			return sign
		}
		m := mant | 0x800000
		q := m >> shift
		rem, halfway := m&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > halfway || rem == halfway && q&1 == 1 {
			q++
		}
		return sign | uint16(q)
	}
	h := uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry into the exponent is still the right value
	}
	return sign | uint16(h)
}

// fromHalf returns the float32 of a binary16 value (exact).
func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		v := float32(mant) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(v) | sign)
	case 31:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// dotHalfGeneric returns q·h for the halfs of one row, in pure Go.
func dotHalfGeneric(q []float32, h []uint16) float32 {
	h = h[:len(q)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		s0 += q[i] * fromHalf(h[i])
		s1 += q[i+1] * fromHalf(h[i+1])
		s2 += q[i+2] * fromHalf(h[i+2])
		s3 += q[i+3] * fromHalf(h[i+3])
	}
	for ; i < len(q); i++ {
		s0 += q[i] * fromHalf(h[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// l2sqHalfGeneric returns Σ(q - scale·h)² for the halfs of one row.
func l2sqHalfGeneric(q []float32, h []uint16, scale float32) float32 {
	h = h[:len(q)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(q); i += 2 {
		d0 := q[i] - scale*fromHalf(h[i])
		d1 := q[i+1] - scale*fromHalf(h[i+1])
		s0 += d0 * d0
		s1 += d1 * d1
	}
	for ; i < len(q); i++ {
		d := q[i] - scale*fromHalf(h[i])
		s0 += d * d
	}
	return s0 + s1
}

func dotHalfRowsGeneric(q []float32, halfs []uint16, rows []int32, out []float32) {
	d := len(q)
	for i, r := range rows {
		out[i] = dotHalfGeneric(q, halfs[int(r)*d:(int(r)+1)*d])
	}
}

func l2sqHalfRowsGeneric(q []float32, halfs []uint16, factor []float32, rows []int32, out []float32) {
	d := len(q)
	for i, r := range rows {
		out[i] = l2sqHalfGeneric(q, halfs[int(r)*d:(int(r)+1)*d], factor[r])
	}
}
