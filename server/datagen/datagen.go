// Package datagen generates deterministic clustered vector data for testing
// and benchmarking vector indexes. Uniform random vectors say nothing about
// an ANN index (every point is almost equally far from every other), so the
// points here sit near a low-dimensional latent subspace, grouped in
// clusters, with isotropic noise on top, which is how embedding data looks.
package datagen

import (
	"math"
	"math/rand/v2"
)

// Spec describes a data set. Zero Latent, Clusters, Spread and Noise take
// defaults.
type Spec struct {
	N        int     // number of base vectors
	Queries  int     // number of query vectors, from the same distribution
	Dims     int     // ambient dimension
	Latent   int     // latent subspace dimension (default 16)
	Clusters int     // cluster count (default 100)
	Spread   float64 // cluster radius in latent units, relative to centre spread 1 (default 0.35)
	Noise    float64 // ambient noise per dimension, relative to signal per dimension (default 0.1)
	Seed     uint64
}

// Set is a generated data set: row-major float32 matrices.
type Set struct {
	Dims    int
	Base    []float32 // N x Dims
	Queries []float32 // Queries x Dims
}

// Row returns row i of a row-major matrix with the set's dimension.
func (s *Set) Row(m []float32, i int) []float32 { return m[i*s.Dims : (i+1)*s.Dims] }

// Generate builds the data set described by spec; the same spec always
// gives the same vectors.
func Generate(spec Spec) *Set {
	if spec.Latent == 0 {
		spec.Latent = 16
	}
	if spec.Clusters == 0 {
		spec.Clusters = 100
	}
	if spec.Spread == 0 {
		spec.Spread = 0.35
	}
	if spec.Noise == 0 {
		spec.Noise = 0.1
	}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x6e6f72696b76))
	lat := spec.Latent
	// Projection latent -> ambient with entries N(0, 1/lat), so a latent
	// point of unit spread maps to ambient components of unit spread.
	proj := make([]float64, spec.Dims*lat)
	for i := range proj {
		proj[i] = rng.NormFloat64() / math.Sqrt(float64(lat))
	}
	centres := make([]float64, spec.Clusters*lat)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	// Clusters get uneven sizes, as real data has.
	weights := make([]float64, spec.Clusters)
	var total float64
	for i := range weights {
		weights[i] = 0.2 + rng.ExpFloat64()
		total += weights[i]
	}
	gen := func(n int) []float32 {
		out := make([]float32, n*spec.Dims)
		z := make([]float64, lat)
		for i := range n {
			c := pick(rng, weights, total)
			for j := range z {
				z[j] = centres[c*lat+j] + spec.Spread*rng.NormFloat64()
			}
			row := out[i*spec.Dims : (i+1)*spec.Dims]
			for d := range row {
				var x float64
				p := proj[d*lat : (d+1)*lat]
				for j, zj := range z {
					x += p[j] * zj
				}
				row[d] = float32(x + spec.Noise*rng.NormFloat64())
			}
		}
		return out
	}
	return &Set{Dims: spec.Dims, Base: gen(spec.N), Queries: gen(spec.Queries)}
}

func pick(rng *rand.Rand, weights []float64, total float64) int {
	u := rng.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
