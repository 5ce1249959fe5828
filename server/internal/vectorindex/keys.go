package vectorindex

import "math"

// The beam search keeps its candidates as keys: a candidate's distance and
// slot packed into one uint64 whose unsigned order is closer's order
// (distance, then slot), so every heap step is one integer compare
// instead of two float compares and a branch on ties.

// distBits maps a distance to a uint32 with the same order: positive
// floats get the sign bit set, negative ones are inverted. -0 maps like
// +0, as the float compare treats them as equal.
func distBits(d float32) uint32 {
	b := math.Float32bits(d)
	if b == 1<<31 {
		b = 0
	}
	if b&(1<<31) != 0 {
		return ^b
	}
	return b | 1<<31
}

// bitsDist inverts distBits.
func bitsDist(b uint32) float32 {
	if b&(1<<31) != 0 {
		return math.Float32frombits(b &^ (1 << 31))
	}
	return math.Float32frombits(^b)
}

func packKey(bits uint32, s int32) uint64 { return uint64(bits)<<32 | uint64(uint32(s)) }

// keyBits returns the distance part of a key.
func keyBits(k uint64) uint32 { return uint32(k >> 32) }

func keyItem(k uint64) item { return item{bitsDist(keyBits(k)), int32(uint32(k))} }

// pushMinKey adds x to a min-heap of keys (closest at the root).
func pushMinKey(h []uint64, x uint64) []uint64 {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p] <= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return h
}

// popMinKey removes the root of a min-heap of keys.
func popMinKey(h []uint64) []uint64 {
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r] < h[c] {
			c = r
		}
		if x <= h[c] {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = x
	}
	return h
}

// pushMaxKey adds x to a max-heap of keys (farthest at the root).
func pushMaxKey(h []uint64, x uint64) []uint64 {
	h = append(h, x)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p] >= x {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
	return h
}

// popMaxKey removes the root of a max-heap of keys.
func popMaxKey(h []uint64) []uint64 {
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r] > h[c] {
			c = r
		}
		if x >= h[c] {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = x
	}
	return h
}
