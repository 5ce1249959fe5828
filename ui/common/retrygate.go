package common

import "time"

// UnansweredRetryEvery bounds how often a pane sends a call that got no
// answer again by itself while nodes answer their status polls.
const UnansweredRetryEvery = 2 * time.Second

// RetryGate decides when a pane sends again, by itself, a call that got no
// answer (no node reached, no leader, a timeout: OutcomeUnknown): once a
// node answers its status poll, and at most once every
// UnansweredRetryEvery. A call that was answered (not found, a refusal) is
// never repeated. The zero value is ready; keep one per call being retried
// (a new call starts with a new gate).
type RetryGate struct {
	last time.Time // when the call was last sent again by the gate
}

// Due tells whether the call that failed with err is to be sent again now,
// on the status poll msg, and if so counts it as sent at now.
func (g *RetryGate) Due(msg NodeStatusMsg, err error, now time.Time) bool {
	if msg.Status == nil || err == nil || !OutcomeUnknown(err) {
		return false
	}
	if !g.last.IsZero() && now.Sub(g.last) < UnansweredRetryEvery {
		return false
	}
	g.last = now
	return true
}
