//go:build amd64 && !purego

package vectorindex

import "golang.org/x/sys/cpu"

// useF16C is fixed at start-up: the half-precision kernels need F16C on
// top of AVX2 and FMA (every such CPU has it, but it is asked, not assumed).
var useF16C = useAVX2 && hasF16C()

// useHalf512 selects the AVX-512 version of the half-precision dot kernel.
var useHalf512 = useF16C && cpu.X86.HasAVX512F

// dotHalfRows sets out[i] = q·halfs[rows[i]] (rows of len(q) halfs). Rows
// must lie inside halfs; the assembly does not check.
func dotHalfRows(q []float32, halfs []uint16, rows []int32, out []float32) {
	out = out[:len(rows)]
	switch {
	case useHalf512:
		dotHalfRowsAVX512(q, halfs, rows, out)
	case useF16C:
		dotHalfRowsAVX2(q, halfs, rows, out)
	default:
		dotHalfRowsGeneric(q, halfs, rows, out)
	}
}

// l2sqHalfRows sets out[i] = Σ(q - factor[rows[i]]·halfs[rows[i]])².
func l2sqHalfRows(q []float32, halfs []uint16, factor []float32, rows []int32, out []float32) {
	out = out[:len(rows)]
	if useF16C {
		l2sqHalfRowsAVX2(q, halfs, factor, rows, out)
		return
	}
	l2sqHalfRowsGeneric(q, halfs, factor, rows, out)
}

//go:noescape
func dotHalfRowsAVX2(q []float32, halfs []uint16, rows []int32, out []float32)

//go:noescape
func dotHalfRowsAVX512(q []float32, halfs []uint16, rows []int32, out []float32)

//go:noescape
func l2sqHalfRowsAVX2(q []float32, halfs []uint16, factor []float32, rows []int32, out []float32)

func hasF16C() bool

// halfKernelsAsm reports whether the half-precision kernels run in assembly.
func halfKernelsAsm() bool { return useF16C }

// peakAbs returns the largest magnitude in v (0 for an empty v).
func peakAbs(v []float32) float32 {
	if useF16C {
		return peakAbsAVX2(v)
	}
	return peakAbsGeneric(v)
}

// toHalfRow sets dst[i] = toHalf(v[i] / peak), bit for bit.
func toHalfRow(v []float32, peak float32, dst []uint16) {
	dst = dst[:len(v)]
	if useF16C {
		toHalfRowAVX2(v, peak, dst)
		return
	}
	toHalfRowGeneric(v, peak, dst)
}

//go:noescape
func peakAbsAVX2(v []float32) float32

//go:noescape
func toHalfRowAVX2(v []float32, peak float32, dst []uint16)
