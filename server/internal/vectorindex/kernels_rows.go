package vectorindex

// dotRowsGeneric is dotRows in pure Go, with dotGeneric's arithmetic.
func dotRowsGeneric(q, vecs []float32, rows []int32, out []float32) {
	d := len(q)
	for i, r := range rows {
		off := int(r) * d
		out[i] = dotGeneric(q, vecs[off:off+d:off+d])
	}
}

// l2sqRowsGeneric is l2sqRows in pure Go, with l2sqGeneric's arithmetic.
func l2sqRowsGeneric(q, vecs []float32, rows []int32, out []float32) {
	d := len(q)
	for i, r := range rows {
		off := int(r) * d
		out[i] = l2sqGeneric(q, vecs[off:off+d:off+d])
	}
}
