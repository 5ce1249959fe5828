package vectorindex

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestHalfConversion checks toHalf against the definition: every binary16
// value converts back to itself, and a float32 rounds to the nearest
// binary16 value, ties to the even one, over random values of every
// magnitude the copy stores (|x| <= 1, subnormals included) and beyond.
func TestHalfConversion(t *testing.T) {
	for h := range 1 << 16 {
		f := fromHalf(uint16(h))
		if f != f { // NaN
			continue
		}
		if got := toHalf(f); got != uint16(h) {
			t.Fatalf("toHalf(fromHalf(%#04x) = %v) = %#04x", h, f, got)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 200000 {
		x := float32(rng.Float64() * math.Pow(2, -float64(rng.IntN(30))))
		if i%2 == 1 {
			x = -x
		}
		if i%1000 == 0 {
			x = 1e6 // beyond the range: infinity
		}
		h := toHalf(x)
		got := float64(fromHalf(h))
		if math.IsInf(got, 0) {
			if math.Abs(float64(x)) < 65520 {
				t.Fatalf("toHalf(%v) is infinite", x)
			}
			continue
		}
		err := math.Abs(got - float64(x))
		for _, nb := range []uint16{h - 1, h + 1} {
			if nb&0x7c00 == 0x7c00 || (nb^h)&0x8000 != 0 {
				continue // past the finite values or across zero
			}
			other := math.Abs(float64(fromHalf(nb)) - float64(x))
			if other < err || other == err && h&1 == 1 {
				t.Fatalf("toHalf(%v) = %v (%#04x), but %v (%#04x) is nearer or the even tie", x, got, h, fromHalf(nb), nb)
			}
		}
	}
}

// TestHalfRowConversion checks the row conversions that build the copy
// (assembly where the CPU has F16C) against the pure-Go definitions bit
// for bit: the peak magnitude, and toHalf(x/peak) for values of every
// magnitude, signed zeros, binary16 subnormals and exact ties between two
// binary16 values, over lengths that exercise every block and tail,
// without writing past the row. (All 2^32 float32 patterns, divided by 1
// and by 3, were compared once by hand: no difference.)
func TestHalfRowConversion(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	t.Logf("F16C half kernels: %v", halfKernelsAsm())
	value := func(i int) float32 {
		switch i % 5 {
		case 0: // a tie between two neighbouring binary16 values
			h := uint16(rng.IntN(0x3c00))
			return (fromHalf(h) + fromHalf(h+1)) / 2
		case 1: // a binary16 subnormal, or below
			return float32(rng.Float64() * math.Pow(2, -14-float64(rng.IntN(14))))
		case 2:
			return float32(math.Copysign(0, rng.Float64()-0.5))
		}
		return float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(80)-40)))
	}
	for _, dims := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 128, 771} {
		for round := range 40 {
			v := make([]float32, dims)
			for i := range v {
				v[i] = value(i + round)
				if rng.IntN(2) == 0 {
					v[i] = -v[i]
				}
			}
			peak := peakAbs(v)
			if want := peakAbsGeneric(v); math.Float32bits(peak) != math.Float32bits(want) {
				t.Fatalf("dims %d: peakAbs %v, pure Go %v", dims, peak, want)
			}
			for _, p := range []float32{peak, 1, 3, 1e-30} {
				if p == 0 {
					continue
				}
				dst := make([]uint16, dims+1)
				dst[dims] = 0xbeef
				toHalfRow(v, p, dst[:dims])
				for i, x := range v {
					if want := toHalf(x / p); dst[i] != want {
						t.Fatalf("dims %d: toHalfRow(%v / %v) = %#04x, toHalf %#04x", dims, x, p, dst[i], want)
					}
				}
				if dst[dims] != 0xbeef {
					t.Fatalf("dims %d: toHalfRow wrote past the row", dims)
				}
			}
		}
	}
}

// TestHalfKernels checks the half-precision row kernels (assembly where
// the CPU has F16C, and pure Go) against float64 sums over the widened
// values, for lengths that exercise every block and tail.
func TestHalfKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	t.Logf("F16C half kernels: %v", halfKernelsAsm())
	for _, dims := range []int{1, 3, 7, 8, 9, 31, 32, 33, 45, 64, 127, 256, 300, 768} {
		const n = 20
		halfs := make([]uint16, n*dims)
		factor := make([]float32, n)
		for i := range halfs {
			halfs[i] = toHalf(float32(rng.Float64()*2 - 1))
		}
		for i := range factor {
			factor[i] = float32(rng.Float64() * 10)
		}
		q := make([]float32, dims)
		for i := range q {
			q[i] = float32(rng.NormFloat64() * 3)
		}
		rows := []int32{n - 1, 0, 7, 7, 3}
		outDot, outL2 := make([]float32, len(rows)), make([]float32, len(rows))
		goDot, goL2 := make([]float32, len(rows)), make([]float32, len(rows))
		dotHalfRows(q, halfs, rows, outDot)
		l2sqHalfRows(q, halfs, factor, rows, outL2)
		dotHalfRowsGeneric(q, halfs, rows, goDot)
		l2sqHalfRowsGeneric(q, halfs, factor, rows, goL2)
		for i, r := range rows {
			var wantDot, wantL2, mag float64
			for j := range dims {
				v := float64(fromHalf(halfs[int(r)*dims+j]))
				wantDot += float64(q[j]) * v
				d := float64(q[j]) - float64(factor[r])*v
				wantL2 += d * d
				mag += math.Abs(float64(q[j])*v) + float64(q[j]*q[j]) + float64(factor[r]*factor[r])*v*v
			}
			tol := 1e-5*mag + 1e-6
			for _, c := range []struct {
				name string
				got  float32
				want float64
			}{{"dotHalfRows", outDot[i], wantDot}, {"dotHalfRowsGeneric", goDot[i], wantDot},
				{"l2sqHalfRows", outL2[i], wantL2}, {"l2sqHalfRowsGeneric", goL2[i], wantL2}} {
				if math.Abs(float64(c.got)-c.want) > tol {
					t.Fatalf("dims %d row %d: %s = %v, want %v (tol %v)", dims, r, c.name, c.got, c.want, tol)
				}
			}
		}
	}
}

// TestHalfSearch checks HNSW indexes that walk a half-precision copy
// (dims >= halfMinDims), for every distance: recall against the exact
// search holds, every returned distance is the exact float32 one (the
// final candidates are re-scored), results are ordered, and vectors whose
// values span many magnitudes (scaled per vector) are found.
func TestHalfSearch(t *testing.T) {
	const dims = halfMinDims + 8
	set := datagen.Generate(datagen.Spec{N: 3000, Queries: 60, Dims: dims, Seed: 13})
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		t.Run(d.String(), func(t *testing.T) {
			ix := mustNew(t, Config{Dims: dims, Distance: d, Kind: HNSW, Seed: 1})
			if ix.half == nil {
				t.Fatalf("no half-precision copy at %d dims", dims)
			}
			loadSet(t, ix, set)
			// Magnitudes far outside binary16's range, both ways (but
			// not so far that float32 squares overflow or vanish), in
			// directions of their own.
			rng := rand.New(rand.NewPCG(14, 15))
			big, tiny := make([]float32, dims), make([]float32, dims)
			for i := range big {
				big[i] = float32(rng.NormFloat64() * 1e15)
				tiny[i] = float32(rng.NormFloat64() * 1e-15)
			}
			must(t, ix.Upsert("big", big))
			must(t, ix.Upsert("tiny", tiny))
			if r := recall(t, ix, set, 10, 0); r < 0.95 {
				t.Fatalf("recall@10 = %.4f, want >= 0.95", r)
			}
			for i := range 60 {
				q := set.Row(set.Queries, i)
				ms, err := ix.Search(q, 10, 0)
				must(t, err)
				qinv := ix.queryNorm(q)
				for j, m := range ms {
					exact := ix.external(ix.distQ(q, qinv, ix.byID[m.ID]))
					if m.Distance != exact {
						t.Fatalf("query %d %s: distance %v, exact %v", i, m.ID, m.Distance, exact)
					}
					if j > 0 && (ms[j-1].Distance > m.Distance || ms[j-1].Distance == m.Distance && ms[j-1].ID > m.ID) {
						t.Fatalf("query %d: results out of order: %v", i, ms)
					}
				}
			}
			for _, id := range []string{"big", "tiny"} {
				// The copy holds the vector to within 2^-11 of its largest
				// magnitude, however large or small that is.
				v, _ := ix.Get(id)
				s := ix.byID[id]
				scale := ix.half.factor[s]
				if d == Cosine {
					scale /= ix.invNorms[s]
				}
				var peak float64
				for _, x := range v {
					peak = max(peak, math.Abs(float64(x)))
				}
				for i, x := range v {
					back := float64(scale) * float64(fromHalf(ix.half.halfs[int(s)*dims+i]))
					if math.Abs(back-float64(x)) > peak/2048 {
						t.Fatalf("%s[%d] = %v, copy holds %v", id, i, x, back)
					}
				}
				// Cosine ignores the magnitude, so the walk must find the
				// vector itself (the graph may route poorly to such an
				// outlier under the other distances, copy or not).
				if d == Cosine {
					ms, err := ix.Search(v, 1, 0)
					must(t, err)
					if ms[0].ID != id {
						t.Fatalf("searching for %s found %v", id, ms)
					}
				}
			}
		})
	}
}

// TestHalfCopyFromDims checks which indexes keep the half-precision copy:
// HNSW from 128 dimensions on (a 100k x 128 walk is bound by fetching
// vectors), never brute-force indexes.
func TestHalfCopyFromDims(t *testing.T) {
	for _, c := range []struct {
		dims int
		kind Kind
		want bool
	}{{127, HNSW, false}, {128, HNSW, true}, {768, HNSW, true}, {128, BruteForce, false}} {
		ix := mustNew(t, Config{Dims: c.dims, Distance: Euclidean, Kind: c.kind})
		if got := ix.half != nil; got != c.want {
			t.Errorf("%s at %d dims: half-precision copy %v, want %v", c.kind, c.dims, got, c.want)
		}
	}
}
