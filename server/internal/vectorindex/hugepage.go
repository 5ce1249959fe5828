package vectorindex

import "unsafe"

// A search on a large index reads a few rows of the vectors, their
// half-precision copy and the level-0 lists at random: on 4 KiB pages
// nearly every one of those reads also misses the TLB (100k x 128 is
// 13 MB of lists and 26 MB of halfs, against the few MiB the TLB maps),
// and the page walks showed in the profile as stalls on the prefetches.
// So the arrays of an index from hugeMinBytes up ask the kernel for
// transparent huge pages (Linux; elsewhere this is a no-op). The Go
// runtime does not ask for them itself, and with the common THP setting
// "madvise" nothing gets them unless asked.

// hugeMinBytes is the array size from which huge pages are asked for:
// below it the array spans few pages and the TLB already covers it.
const hugeMinBytes = 4 << 20

// hugeRegions remembers the arrays last advised (by address and size),
// so that a reallocated array gets the advice again and its predecessor,
// now garbage, gets it withdrawn (so the kernel does not collapse freed
// heap memory back into huge pages).
type hugeRegions struct {
	base [3]uintptr
	size [3]uintptr
}

// Which arrays hugeRegions tracks.
const (
	hugeVecs = iota
	hugeHalfs
	hugeLinks
)

// adviseLarge gives the index's large arrays huge pages after they may
// have been reallocated. It costs three compares when nothing moved.
func (ix *Index) adviseLarge() {
	ix.huge.track(hugeVecs, unsafe.Pointer(unsafe.SliceData(ix.vecs)), uintptr(cap(ix.vecs))*4)
	if h := ix.half; h != nil {
		ix.huge.track(hugeHalfs, unsafe.Pointer(unsafe.SliceData(h.halfs)), uintptr(cap(h.halfs))*2)
	}
	if g := ix.g; g != nil {
		ix.huge.track(hugeLinks, unsafe.Pointer(unsafe.SliceData(g.links0)), uintptr(cap(g.links0))*4)
	}
}

func (r *hugeRegions) track(i int, p unsafe.Pointer, n uintptr) {
	base := uintptr(p)
	if base == r.base[i] && n == r.size[i] {
		return
	}
	if r.base[i] != 0 {
		adviseHuge(r.base[i], r.size[i], false)
	}
	r.base[i], r.size[i] = 0, 0
	if n < hugeMinBytes || base == 0 {
		return
	}
	adviseHuge(base, n, true)
	r.base[i], r.size[i] = base, n
}

// releaseLarge withdraws the huge-page advice from every array tracked:
// an index that is closed (dropped or replaced) leaves its arrays to the
// garbage collector, and the kernel must not collapse that freed heap
// memory, reused for other objects, back into huge pages. wmu must be held.
func (ix *Index) releaseLarge() {
	for i := range ix.huge.base {
		if ix.huge.base[i] != 0 {
			adviseHuge(ix.huge.base[i], ix.huge.size[i], false)
		}
	}
	ix.huge = hugeRegions{}
}
