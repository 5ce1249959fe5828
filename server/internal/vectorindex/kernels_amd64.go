//go:build amd64 && !purego

package vectorindex

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX2 is fixed at start-up: the AVX2+FMA kernels run where the CPU has
// both, the pure-Go ones elsewhere (and under the purego build tag).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernelName names the distance kernels in use, for benchmark reports.
var kernelName = func() string {
	if useAVX2 {
		return "avx2+fma"
	}
	return "generic"
}()

// kernelSet returns the one-vector kernels for this CPU, called through
// function values in the hot loops to save a level of calls.
func kernelSet() kernels {
	if useAVX2 {
		return kernels{dot: dotAVX2, l2sq: l2sqAVX2}
	}
	return kernels{dot: dotGeneric, l2sq: l2sqGeneric}
}

// dot returns a·b; len(b) must be >= len(a).
func dot(a, b []float32) float32 {
	if useAVX2 {
		return dotAVX2(a, b[:len(a)])
	}
	return dotGeneric(a, b)
}

// l2sq returns Σ(a-b)²; len(b) must be >= len(a).
func l2sq(a, b []float32) float32 {
	if useAVX2 {
		return l2sqAVX2(a, b[:len(a)])
	}
	return l2sqGeneric(a, b)
}

// dotAVX2 returns a·b using 256-bit FMA; len(b) must equal len(a).
//
//go:noescape
func dotAVX2(a, b []float32) float32

// l2sqAVX2 returns Σ(a-b)² using 256-bit FMA; len(b) must equal len(a).
//
//go:noescape
func l2sqAVX2(a, b []float32) float32

// prefetchLines hints the CPU to load `lines` cache lines starting at p. A
// hint only: it never faults, even past the end of memory.
//
//go:noescape
func prefetchLines(p unsafe.Pointer, lines int)

// dotBatch sets out[i] = vecs[i]·q for the len(out) consecutive vectors
// of len(q) values in vecs.
func dotBatch(q, vecs, out []float32) {
	if useAVX2 {
		dotBatchAVX2(q, vecs[:len(out)*len(q)], out)
		return
	}
	dotBatchGeneric(q, vecs, out)
}

// l2sqBatch sets out[i] = Σ(q-vecs[i])² for the len(out) consecutive
// vectors of len(q) values in vecs.
func l2sqBatch(q, vecs, out []float32) {
	if useAVX2 {
		l2sqBatchAVX2(q, vecs[:len(out)*len(q)], out)
		return
	}
	l2sqBatchGeneric(q, vecs, out)
}

//go:noescape
func dotBatchAVX2(q, vecs, out []float32)

//go:noescape
func l2sqBatchAVX2(q, vecs, out []float32)
