//go:build amd64 && !purego

package vectorindex

import "unsafe"

// dotRows sets out[i] = q·vecs[rows[i]] (rows of len(q) values). Every row
// must lie inside vecs, and len(out) >= len(rows); the assembly does not
// check, so the callers pass only rows of stored slots (and rowsFit
// guards it).
func dotRows(q, vecs []float32, rows []int32, out []float32) {
	out = out[:len(rows)]
	if useAVX2 {
		dotRowsAVX2(q, vecs, rows, out)
		return
	}
	dotRowsGeneric(q, vecs, rows, out)
}

// l2sqRows sets out[i] = Σ(q-vecs[rows[i]])², under dotRows' conditions.
func l2sqRows(q, vecs []float32, rows []int32, out []float32) {
	out = out[:len(rows)]
	if useAVX2 {
		l2sqRowsAVX2(q, vecs, rows, out)
		return
	}
	l2sqRowsGeneric(q, vecs, rows, out)
}

//go:noescape
func dotRowsAVX2(q, vecs []float32, rows []int32, out []float32)

//go:noescape
func l2sqRowsAVX2(q, vecs []float32, rows []int32, out []float32)

// prefetchRows hints the CPU to load the first `lines` cache lines of each
// named row of a table of rowBytes-byte rows at base. A hint only: it
// never faults.
//
//go:noescape
func prefetchRows(base unsafe.Pointer, rowBytes int, rows []int32, lines int)
