//go:build !amd64 || purego

package vectorindex

import "unsafe"

// dot returns a·b; len(b) must be >= len(a).
func dot(a, b []float32) float32 { return dotGeneric(a, b) }

// l2sq returns Σ(a-b)²; len(b) must be >= len(a).
func l2sq(a, b []float32) float32 { return l2sqGeneric(a, b) }

// kernelName names the distance kernels in use, for benchmark reports.
const kernelName = "generic"

// prefetchLines is a no-op without assembly.
func prefetchLines(p unsafe.Pointer, lines int) {}
