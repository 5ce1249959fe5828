//go:build !unix

// Package jobctl tells whether the console can suspend itself (Ctrl-Z):
// only when a shell with job control started it, which can resume it (fg).
package jobctl

// Resumable is false where there is no job control.
func Resumable() bool { return false }
