//go:build amd64 && !purego

package vectorindex

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestHalfDotVariants checks each assembly version of the half-precision
// dot kernel the CPU can run (TestHalfKernels covers only the one in use)
// against the pure-Go one.
func TestHalfDotVariants(t *testing.T) {
	if !useF16C {
		t.Skip("no F16C")
	}
	variants := map[string]func(q []float32, halfs []uint16, rows []int32, out []float32){"avx2": dotHalfRowsAVX2}
	if useHalf512 {
		variants["avx512"] = dotHalfRowsAVX512
	}
	rng := rand.New(rand.NewPCG(16, 17))
	for _, dims := range []int{1, 7, 8, 15, 16, 63, 64, 65, 72, 127, 128, 200, 768, 771} {
		halfs := make([]uint16, 6*dims)
		for i := range halfs {
			halfs[i] = toHalf(float32(rng.Float64()*2 - 1))
		}
		q := make([]float32, dims)
		var mag float64
		for i := range q {
			q[i] = float32(rng.NormFloat64())
			mag += math.Abs(float64(q[i]))
		}
		rows := []int32{5, 0, 3, 3}
		want := make([]float32, len(rows))
		dotHalfRowsGeneric(q, halfs, rows, want)
		for name, f := range variants {
			got := make([]float32, len(rows)+1)
			got[len(rows)] = 42
			f(q, halfs, rows, got[:len(rows)])
			for i := range rows {
				if math.Abs(float64(got[i]-want[i])) > 1e-5*mag+1e-6 {
					t.Fatalf("%s dims %d row %d: %v, pure Go %v", name, dims, rows[i], got[i], want[i])
				}
			}
			if got[len(rows)] != 42 {
				t.Fatalf("%s dims %d wrote past the rows", name, dims)
			}
		}
	}
}
