package backoff

import (
	"testing"
	"time"
)

func TestDelayGrowsAndCaps(t *testing.T) {
	p := Policy{MaxAttempts: 10, InitialDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
	want := []time.Duration{10, 20, 40, 50, 50}
	for i, w := range want {
		if got := p.Delay(i + 1); got != w*time.Millisecond {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
}

func TestJitterBounded(t *testing.T) {
	p := Policy{InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, Jitter: 5 * time.Millisecond}
	seen := map[time.Duration]bool{}
	for i := 0; i < 200; i++ {
		d := p.Delay(1)
		if d < 10*time.Millisecond || d >= 15*time.Millisecond {
			t.Fatalf("Delay with jitter = %v, want in [10ms, 15ms)", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("jitter produced only %d distinct delays", len(seen))
	}
}
