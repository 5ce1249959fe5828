package datagen

import (
	"math"
	"slices"
	"testing"
)

func TestDeterministic(t *testing.T) {
	spec := Spec{N: 300, Queries: 20, Dims: 12, Seed: 5}
	a, b := Generate(spec), Generate(spec)
	if !slices.Equal(a.Base, b.Base) || !slices.Equal(a.Queries, b.Queries) {
		t.Fatal("same spec gave different data")
	}
	if len(a.Base) != 300*12 || len(a.Queries) != 20*12 || a.Dims != 12 {
		t.Fatalf("shapes: base %d queries %d dims %d", len(a.Base), len(a.Queries), a.Dims)
	}
	spec.Seed = 6
	if slices.Equal(Generate(spec).Base, a.Base) {
		t.Fatal("seed has no effect")
	}
}

func dist(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// TestClustered checks that the data has structure an ANN index can use:
// a point's nearest neighbour is much closer than a typical point, which
// uniform random data in 64 dimensions would not give.
func TestClustered(t *testing.T) {
	set := Generate(Spec{N: 1000, Dims: 64, Seed: 1})
	var nn, avg float64
	for i := range 100 {
		p := set.Row(set.Base, i)
		best := math.Inf(1)
		for j := range 1000 {
			if j != i {
				best = min(best, dist(p, set.Row(set.Base, j)))
			}
		}
		nn += best
		avg += dist(p, set.Row(set.Base, (i*37+500)%1000))
	}
	if ratio := nn / avg; ratio > 0.5 {
		t.Fatalf("nearest/typical distance ratio %.2f: data is not clustered", ratio)
	} else {
		t.Logf("nearest/typical distance ratio %.2f", ratio)
	}
}
