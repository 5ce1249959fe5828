package vectorindex

import (
	"math"
	"math/rand/v2"
	"testing"
)

func naiveDot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func naiveL2sq(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return s
}

// TestKernels checks the kernel in use (assembly where the CPU allows) and
// the pure-Go fallback against float64 sums, for every length up to 300 so
// that every unrolled block and tail path runs.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t.Logf("kernels in use: %s", kernelName)
	for n := 0; n <= 300; n++ {
		a := make([]float32, n)
		b := make([]float32, n+3) // longer b: kernels must read only len(a)
		var mag float64
		for i := range a {
			a[i] = float32(rng.NormFloat64())
			b[i] = float32(rng.NormFloat64())
			mag += math.Abs(float64(a[i]))*math.Abs(float64(b[i])) + float64(a[i]*a[i]+b[i]*b[i])
		}
		b[n], b[n+1], b[n+2] = 1e30, 1e30, 1e30
		tol := 1e-5*mag + 1e-6
		wantDot, wantL2 := naiveDot(a, b), naiveL2sq(a, b)
		check := func(name string, got float32, want float64) {
			if math.Abs(float64(got)-want) > tol {
				t.Fatalf("n=%d %s = %v, want %v (tol %v)", n, name, got, want, tol)
			}
		}
		check("dot", dot(a, b), wantDot)
		check("dotGeneric", dotGeneric(a, b), wantDot)
		check("l2sq", l2sq(a, b), wantL2)
		check("l2sqGeneric", l2sqGeneric(a, b), wantL2)
	}
}

// TestBatchKernels checks the block kernels (assembly and pure Go) against
// the one-vector kernels, over dimensions that exercise every tail.
func TestBatchKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dims := range []int{1, 3, 8, 13, 32, 45, 128, 131} {
		const n = 37
		q := make([]float32, dims)
		vecs := make([]float32, n*dims+5) // spare tail: kernels must stop at len(out) vectors
		for i := range q {
			q[i] = float32(rng.NormFloat64())
		}
		for i := range vecs {
			vecs[i] = float32(rng.NormFloat64())
		}
		outs := map[string][]float32{}
		for name, f := range map[string]func(q, vecs, out []float32){
			"dotBatch": dotBatch, "dotBatchGeneric": dotBatchGeneric,
			"l2sqBatch": l2sqBatch, "l2sqBatchGeneric": l2sqBatchGeneric,
		} {
			out := make([]float32, n)
			f(q, vecs, out)
			outs[name] = out
		}
		for i := range n {
			v := vecs[i*dims : (i+1)*dims]
			wantDot, wantL2 := naiveDot(q, v), naiveL2sq(q, v)
			tol := 1e-4 * float64(dims)
			for _, name := range []string{"dotBatch", "dotBatchGeneric"} {
				if got := outs[name][i]; math.Abs(float64(got)-wantDot) > tol {
					t.Fatalf("dims %d vec %d %s = %v, want %v", dims, i, name, got, wantDot)
				}
			}
			for _, name := range []string{"l2sqBatch", "l2sqBatchGeneric"} {
				if got := outs[name][i]; math.Abs(float64(got)-wantL2) > tol {
					t.Fatalf("dims %d vec %d %s = %v, want %v", dims, i, name, got, wantL2)
				}
			}
		}
	}
}

func TestInvNorm(t *testing.T) {
	if got := invNorm([]float32{3, 4}); math.Abs(float64(got)-0.2) > 1e-7 {
		t.Fatalf("invNorm(3,4) = %v, want 0.2", got)
	}
	if got := invNorm([]float32{0, 0}); got != 0 {
		t.Fatalf("invNorm(0,0) = %v, want 0", got)
	}
}
