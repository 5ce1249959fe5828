//go:build race

package metrics

// raceEnabled is true under the race detector (sync.Pool then drops
// objects at random).
const raceEnabled = true
