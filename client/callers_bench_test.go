package client_test

import (
	"context"
	"runtime/pprof"
	"sync"
	"time"
)

// callerPool is a fixed set of long-lived caller goroutines that run op in
// windows, as an application's workers would. Goroutines started afresh
// for every window spent part of each 200 ms window starting up and growing
// their stacks (more for the deeper client path), which the windows then
// counted against the side being measured.
type callerPool struct {
	n     int
	start []chan time.Time // one per caller: the window's deadline
	wg    sync.WaitGroup   // callers still in the window
	mu    sync.Mutex
	ops   int64
	errs  int64
}

// startCallers starts n callers of op; stop ends them. The callers carry
// the pprof label side=<side>, so a CPU profile of a run that alternates
// two pools (-cpuprofile, then go tool pprof -tagfocus side=client) splits
// the callers' own work between them.
func startCallers(side string, n int, op func(int) error) *callerPool {
	p := &callerPool{n: n, start: make([]chan time.Time, n)}
	for g := range p.start {
		ch := make(chan time.Time)
		p.start[g] = ch
		go pprof.Do(context.Background(), pprof.Labels("side", side), func(context.Context) {
			i := g
			for deadline := range ch {
				var ops, errs int64
				for time.Now().Before(deadline) {
					if err := op(i); err != nil {
						errs++
					} else {
						ops++
					}
					i += n
				}
				p.mu.Lock()
				p.ops, p.errs = p.ops+ops, p.errs+errs
				p.mu.Unlock()
				p.wg.Done()
			}
		})
	}
	return p
}

// window runs the callers for about d and returns how many ops succeeded,
// how many failed, and how long the window really lasted.
func (p *callerPool) window(d time.Duration) (int64, int64, time.Duration) {
	p.ops, p.errs = 0, 0 // no caller is in a window
	p.wg.Add(p.n)
	start := time.Now()
	deadline := start.Add(d)
	for _, ch := range p.start {
		ch <- deadline
	}
	p.wg.Wait()
	return p.ops, p.errs, time.Since(start)
}

// stop ends the callers once they are out of their window.
func (p *callerPool) stop() {
	for _, ch := range p.start {
		close(ch)
	}
}
