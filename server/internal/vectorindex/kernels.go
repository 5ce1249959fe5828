package vectorindex

import "math"

// kernels holds one-vector distance kernels; both read len(a) values of b.
type kernels struct {
	dot  func(a, b []float32) float32
	l2sq func(a, b []float32) float32
}

// dotGeneric returns a·b in pure Go. len(b) must be >= len(a). Eight products
// per iteration feed four independent accumulators, so the loop is bound by
// loads rather than by the latency of one add chain.
func dotGeneric(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		x := a[i : i+8 : i+8]
		y := b[i : i+8 : i+8]
		s0 += x[0]*y[0] + x[4]*y[4]
		s1 += x[1]*y[1] + x[5]*y[5]
		s2 += x[2]*y[2] + x[6]*y[6]
		s3 += x[3]*y[3] + x[7]*y[7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// l2sqGeneric returns Σ(a-b)² in pure Go. len(b) must be >= len(a).
func l2sqGeneric(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		x := a[i : i+8 : i+8]
		y := b[i : i+8 : i+8]
		d0 := x[0] - y[0]
		d1 := x[1] - y[1]
		d2 := x[2] - y[2]
		d3 := x[3] - y[3]
		d4 := x[4] - y[4]
		d5 := x[5] - y[5]
		d6 := x[6] - y[6]
		d7 := x[7] - y[7]
		s0 += d0*d0 + d4*d4
		s1 += d1*d1 + d5*d5
		s2 += d2*d2 + d6*d6
		s3 += d3*d3 + d7*d7
	}
	for ; i < n; i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// invNorm returns 1/|v|, computed in float64, or 0 for a zero vector so that
// a cosine against it comes out as exactly 1 - 0 = 1, as the protocol asks.
func invNorm(v []float32) float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return 0
	}
	inv := 1 / math.Sqrt(s)
	if inv > math.MaxFloat32 {
		return math.MaxFloat32
	}
	return float32(inv)
}

// checkFinite reports whether every component is a finite number, and the
// index of the first one that is not.
func checkFinite(v []float32) (int, bool) {
	for i, x := range v {
		// All exponent bits set: ±Inf or NaN.
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			return i, false
		}
	}
	return -1, true
}

// KernelName names the distance kernels this build and CPU use: "avx2+fma"
// or "generic" (pure Go).
func KernelName() string { return kernelName }

func dotBatchGeneric(q, vecs, out []float32) {
	d := len(q)
	for i := range out {
		out[i] = dotGeneric(q, vecs[i*d:(i+1)*d])
	}
}

func l2sqBatchGeneric(q, vecs, out []float32) {
	d := len(q)
	for i := range out {
		out[i] = l2sqGeneric(q, vecs[i*d:(i+1)*d])
	}
}
