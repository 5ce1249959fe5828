// Package backoff holds the retry policy as data: how many attempts, and how
// long to wait before each retry (exponential growth, capped, plus jitter).
package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is an exponential backoff with additive random jitter.
type Policy struct {
	MaxAttempts  int           // total attempts including the first
	InitialDelay time.Duration // wait before the first retry
	MaxDelay     time.Duration // cap on the exponential part
	Jitter       time.Duration // up to this much random time is added to each wait
}

// Delay returns how long to wait before retry number retry (1 = first retry).
func (p Policy) Delay(retry int) time.Duration {
	if retry < 1 {
		retry = 1
	}
	d := p.InitialDelay
	for i := 1; i < retry && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	if p.Jitter > 0 {
		d += rand.N(p.Jitter)
	}
	return d
}
