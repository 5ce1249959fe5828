//go:build !race

package client

// raceEnabled is true under the race detector, whose instrumentation
// changes allocation counts.
const raceEnabled = false
