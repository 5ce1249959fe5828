package client

import (
	"time"

	"github.com/norikv/norikv-console/client/internal/backoff"
)

// retryClass is a class of transient failure with its own budget
// (RetryConfig.NotLeader, Unavailable, Timeout, Connect).
type retryClass int

const (
	classNotLeader   retryClass = iota // NOT_LEADER without a usable hint
	classUnavailable                   // UNAVAILABLE (not NOT_LEADER) or ABORTED from a node
	classTimeout                       // the attempt outlived Config.Timeout
	classConnect                       // transport failure
	numRetryClasses
)

// policies turns the configured classes into backoff policies.
func (r RetryConfig) policies() [numRetryClasses]backoff.Policy {
	var out [numRetryClasses]backoff.Policy
	for i, c := range r.classes() {
		out[i] = backoff.Policy{
			MaxAttempts:  c.MaxAttempts,
			InitialDelay: c.InitialDelay,
			MaxDelay:     c.MaxDelay,
			Jitter:       r.Jitter,
		}
	}
	return out
}

// budget counts one call's failures per class and in total.
type budget struct {
	total int
	per   [numRetryClasses]int
}

// spend records a failure of class and returns the wait before the next
// attempt, or ok=false when the class's or the overall budget is used up.
func (c *Client) spend(b *budget, class retryClass) (wait time.Duration, ok bool) {
	b.total++
	b.per[class]++
	p := &c.policies[class]
	if b.per[class] >= p.MaxAttempts || b.total >= c.policy.MaxAttempts {
		return 0, false
	}
	if class == classTimeout && p.InitialDelay == 0 {
		return 0, true // the attempt already waited Config.Timeout: move on at once
	}
	return p.Delay(b.per[class]), true
}
