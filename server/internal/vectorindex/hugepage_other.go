//go:build !linux

package vectorindex

// adviseHuge is a no-op where transparent huge pages are not asked for.
func adviseHuge(base, n uintptr, on bool) {}
