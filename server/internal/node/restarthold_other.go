//go:build !linux

package node

// bootClock: no boot clock here; a restarted node holds its vote for a
// heartbeat timeout from its start (restarthold.go).
func bootClock() (aliveNote, bool) { return aliveNote{}, false }
