//go:build !amd64 || purego

package vectorindex

import "unsafe"

// kernelSet returns the pure-Go one-vector kernels.
func kernelSet() kernels { return kernels{dot: dotGeneric, l2sq: l2sqGeneric} }

// dot returns a·b; len(b) must be >= len(a).
func dot(a, b []float32) float32 { return dotGeneric(a, b) }

// l2sq returns Σ(a-b)²; len(b) must be >= len(a).
func l2sq(a, b []float32) float32 { return l2sqGeneric(a, b) }

// kernelName names the distance kernels in use, for benchmark reports.
const kernelName = "generic"

// prefetchLines is a no-op without assembly.
func prefetchLines(p unsafe.Pointer, lines int) {}

// dotBatch sets out[i] = vecs[i]·q for consecutive vectors.
func dotBatch(q, vecs, out []float32) { dotBatchGeneric(q, vecs, out) }

// l2sqBatch sets out[i] = Σ(q-vecs[i])² for consecutive vectors.
func l2sqBatch(q, vecs, out []float32) { l2sqBatchGeneric(q, vecs, out) }

// dotRows sets out[i] = q·vecs[rows[i]].
func dotRows(q, vecs []float32, rows []int32, out []float32) { dotRowsGeneric(q, vecs, rows, out) }

// l2sqRows sets out[i] = Σ(q-vecs[rows[i]])².
func l2sqRows(q, vecs []float32, rows []int32, out []float32) { l2sqRowsGeneric(q, vecs, rows, out) }

// prefetchRows is a no-op without assembly.
func prefetchRows(base unsafe.Pointer, rowBytes int, rows []int32, lines int) {}

// dotHalfRows sets out[i] = q·halfs[rows[i]].
func dotHalfRows(q []float32, halfs []uint16, rows []int32, out []float32) {
	dotHalfRowsGeneric(q, halfs, rows, out)
}

// l2sqHalfRows sets out[i] = Σ(q - factor[rows[i]]·halfs[rows[i]])².
func l2sqHalfRows(q []float32, halfs []uint16, factor []float32, rows []int32, out []float32) {
	l2sqHalfRowsGeneric(q, halfs, factor, rows, out)
}

// halfKernelsAsm reports whether the half-precision kernels run in assembly.
func halfKernelsAsm() bool { return false }

// peakAbs returns the largest magnitude in v (0 for an empty v).
func peakAbs(v []float32) float32 { return peakAbsGeneric(v) }

// toHalfRow sets dst[i] = toHalf(v[i] / peak).
func toHalfRow(v []float32, peak float32, dst []uint16) { toHalfRowGeneric(v, peak, dst) }
