package vectorindex

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRowKernels checks that the row kernels give bit-identical results to
// the one-vector kernels (the graph must not depend on which one a path
// uses), for the assembly and the pure-Go versions, over dimensions that
// exercise every block and tail, with rows in any order and repeated.
func TestRowKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dims := range []int{1, 3, 7, 8, 9, 31, 32, 33, 45, 64, 127, 128, 131, 768} {
		const n = 40
		vecs := make([]float32, n*dims)
		for i := range vecs {
			vecs[i] = float32(rng.NormFloat64())
		}
		q := make([]float32, dims)
		for i := range q {
			q[i] = float32(rng.NormFloat64())
		}
		rows := []int32{0, n - 1, 5, 5, 17, 2}
		out := make([]float32, len(rows)+2)
		outGo := make([]float32, len(rows))
		for _, k := range []struct {
			name   string
			rows   func(q, vecs []float32, rows []int32, out []float32)
			rowsGo func(q, vecs []float32, rows []int32, out []float32)
			one    func(a, b []float32) float32
			oneGo  func(a, b []float32) float32
		}{
			{"dot", dotRows, dotRowsGeneric, dot, dotGeneric},
			{"l2sq", l2sqRows, l2sqRowsGeneric, l2sq, l2sqGeneric},
		} {
			out[len(rows)], out[len(rows)+1] = 42, 42
			k.rows(q, vecs, rows, out)
			k.rowsGo(q, vecs, rows, outGo)
			for i, r := range rows {
				v := vecs[int(r)*dims : (int(r)+1)*dims]
				if want := k.one(q, v); math.Float32bits(out[i]) != math.Float32bits(want) {
					t.Fatalf("dims %d %sRows row %d = %v, one-vector kernel %v", dims, k.name, r, out[i], want)
				}
				if want := k.oneGo(q, v); math.Float32bits(outGo[i]) != math.Float32bits(want) {
					t.Fatalf("dims %d %sRowsGeneric row %d = %v, dotGeneric %v", dims, k.name, r, outGo[i], want)
				}
			}
			if out[len(rows)] != 42 || out[len(rows)+1] != 42 {
				t.Fatalf("dims %d %sRows wrote past len(rows)", dims, k.name)
			}
		}
	}
}

// TestKeysOrderLikeCloser checks that keys sort exactly like closer,
// including ties, zeros of both signs, negatives and infinities, and that
// the key heaps pop in order.
func TestKeysOrderLikeCloser(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, 1e-40, -1e-40,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32}
	var items []item
	for i := range 2000 {
		var d float32
		if i%4 == 0 {
			d = special[rng.IntN(len(special))]
		} else {
			d = float32(rng.NormFloat64()) * float32(rng.IntN(3))
		}
		items = append(items, item{d, int32(rng.IntN(1 << 30))})
	}
	for i := range 5000 {
		a, b := items[rng.IntN(len(items))], items[rng.IntN(len(items))]
		ka, kb := packKey(distBits(a.dist), a.slot), packKey(distBits(b.dist), b.slot)
		if closer(a, b) != (ka < kb) {
			t.Fatalf("%d: closer(%v, %v) = %v, keys %x < %x = %v", i, a, b, closer(a, b), ka, kb, ka < kb)
		}
		if got := keyItem(ka); got.slot != a.slot || got.dist != a.dist {
			t.Fatalf("key of %v decodes to %v", a, got)
		}
	}
	var minH, maxH []uint64
	var keys []uint64
	for _, it := range items {
		k := packKey(distBits(it.dist), it.slot)
		keys = append(keys, k)
		minH = pushMinKey(minH, k)
		maxH = pushMaxKey(maxH, k)
	}
	slices.Sort(keys)
	for i := range keys {
		if minH[0] != keys[i] || maxH[0] != keys[len(keys)-1-i] {
			t.Fatalf("pop %d: min-heap root %x max-heap root %x, want %x and %x", i, minH[0], maxH[0], keys[i], keys[len(keys)-1-i])
		}
		minH, maxH = popMinKey(minH), popMaxKey(maxH)
	}
}
