package vectorindex

// A bounded top-k keeps its candidates in a heap whose root is the worst
// one (by worse), so a better candidate replaces the root. The exact scan
// and the merge with pending writes share these two functions; both call
// them only when a candidate beats the current worst, which after the
// first k is rare, so the indirect call costs nothing measurable.

// siftUpWorst moves h[i] up to its place.
func siftUpWorst[T any](h []T, i int, worse func(a, b T) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// siftDownWorst moves h[i] down to its place.
func siftDownWorst[T any](h []T, i int, worse func(a, b T) bool) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && worse(h[r], h[l]) {
			w = r
		}
		if !worse(h[w], h[i]) {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}
