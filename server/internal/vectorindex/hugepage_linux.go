//go:build linux

package vectorindex

import "golang.org/x/sys/unix"

const hugePageSize = 2 << 20

// adviseHuge asks the kernel to back the 2 MiB-aligned interior of the
// n bytes at base with transparent huge pages, collapsing the pages
// already there at once (on 6.1+ kernels; older ones do it in the
// background), or, with on false, to stop doing so. Advice only: errors
// (an old kernel, THP disabled) leave the pages as they were, so they are
// ignored. The interior lies inside one Go heap object, so no other
// object's pages are touched; the addresses are plain integers because
// the memory may already be garbage when the advice is withdrawn.
func adviseHuge(base, n uintptr, on bool) {
	start := (base + hugePageSize - 1) &^ (hugePageSize - 1)
	end := (base + n) &^ (hugePageSize - 1)
	if end <= start {
		return
	}
	if !on {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_NOHUGEPAGE)
		return
	}
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_HUGEPAGE); errno != 0 {
		return
	}
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_COLLAPSE)
}
