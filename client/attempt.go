package client

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/norikv/norikv-console/client/internal/metrics"
)

// errAttemptTimeout cancels an attempt that outlived Config.Timeout.
var errAttemptTimeout = errors.New("attempt timeout")

// slotsPerTimeout sets the width of an attempt slot: Timeout/16, so an
// attempt is cancelled between Timeout and Timeout+1/16 after it was sent.
const slotsPerTimeout = 16

// Attempts are bounded by Config.Timeout on the client (a cancelled context)
// rather than by a context deadline, so no per-attempt grpc-timeout is sent:
// the caller's own deadline is what the server sees.
//
// A context and a timer of its own per attempt cost about 0.7µs and 8
// allocations (the cancelCtx, its Done channel, the children map gRPC's own
// per-call context registers in, the timer and three closures): a third of
// the client's overhead over the raw stub on a 30µs Get, and most of its
// throughput loss at 64 callers. So attempts of a caller context that is
// never cancelled (Done() == nil, e.g. context.Background) share one
// cancellation per slot of Timeout/16: every attempt sent during a slot is
// cancelled when the slot's deadline (its end + Timeout) passes. An attempt
// still running then has run at least Timeout; one that finished is not
// affected. Close cancels every slot, like every attempt before.
//
// A slot's cancelCtx is written by every attempt that registers with it
// (its mutex, its children), from both cores: at 64 callers its cache line
// moves between them all the time. So attempts do not read it except to
// register: their context (slotCtx) keeps the slot's Done channel itself
// and answers value lookups without walking into the slot (gRPC looks up
// several values per call, each a cache miss when it went through the
// slot: 64-caller Get cost 1.07x the raw stub's CPU per op).

// attemptSlot is the shared cancellation of the attempts sent before
// joinBy. It is never written once published.
type attemptSlot struct {
	// ctx is a cancelCtx, child of Client.ctx, with no deadline (so no
	// grpc-timeout is sent): a timer cancels it with errAttemptTimeout at
	// joinBy+limit.
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   <-chan struct{} // ctx.Done()
	joinBy time.Time
	limit  time.Duration
	// bg is the attempt context of callers using context.Background (the
	// common case), shared by the slot's attempts: no allocation a call.
	bg slotCtx
}

// slotLanes is how many slots are open at once. gRPC's per-call context
// registers with its slot's cancelCtx under the slot's mutex, twice per
// call: with one slot, 64 callers on two cores queued on it (a bound cost
// 0.75µs a call in parallel, against 0.35µs alone). Each processor has
// lanesPerStripe lanes of its own (metrics.Stripes), so a slot's mutex and
// children map stay in one core's cache; lanes picked by the low bits of
// the send time alone spread the callers evenly but had the two cores
// write every lane, passing its cache lines between them on most calls.
// Within its lanes, an attempt picks one by the send time's low bits: a
// call that waits (a Put waits on replication) often ends on another
// processor, which then takes the lane's mutex to unregister, and with one
// lane a processor 64 callers' Puts queued on two mutexes: 3.8 contentions
// per 1k Puts in context registration (median 2.4, 12 blocks), against
// 0.9 (0.4) with 8 lanes picked by time and 1.2 (0.5) with these
// (BenchmarkKVSideProfile, NORIKV_KVPROFILE_OP=put, mutex profile, load
// 16-21).
const (
	lanesPerStripe = 4
	slotLanes      = metrics.NumStripes * lanesPerStripe
)

// attemptSlots hands out the current slot of each lane. Every attempt
// reads its lane; the padding keeps counters written by every call (the
// Client's metrics follow it) off the lanes' cache line.
type attemptSlots struct {
	lanes [slotLanes]atomic.Pointer[attemptSlot]
	_     [64]byte
}

// laneOf returns the lane of an attempt sent at now from stripe
// (metrics.Stripes.Index): one of the stripe's lanesPerStripe lanes, by
// the send time's low bits.
func laneOf(stripe int, now time.Time) int {
	return int(uint(stripe)%metrics.NumStripes*lanesPerStripe + uint(now.UnixNano()>>4)%lanesPerStripe)
}

// join returns a slot of stripe's lanes (metrics.Stripes.Index) that ends
// at least limit after now.
func (s *attemptSlots) join(parent context.Context, stripe int, now time.Time, limit time.Duration) *attemptSlot {
	l := &s.lanes[laneOf(stripe, now)]
	for {
		cur := l.Load()
		if cur != nil && cur.limit == limit && now.Before(cur.joinBy) {
			return cur
		}
		joinBy := now.Add(max(limit/slotsPerTimeout, time.Millisecond))
		ctx, cancel := context.WithCancelCause(parent)
		next := &attemptSlot{ctx: ctx, cancel: cancel, done: ctx.Done(), joinBy: joinBy, limit: limit}
		next.bg = slotCtx{Context: context.Background(), slot: ctx, done: next.done}
		if l.CompareAndSwap(cur, next) {
			time.AfterFunc(joinBy.Add(limit).Sub(now), func() { cancel(errAttemptTimeout) })
			return next
		}
		cancel(nil) // another attempt opened a slot at the same moment: look again
	}
}

// slotCtx is an attempt's context on the shared path: the caller's values
// (its deadline is none, or later than the slot's end) with the slot's
// cancellation. context.WithCancel(slotCtx) (gRPC makes one per call) finds
// the slot's cancelCtx through Value and registers with it directly,
// without a goroutine; AfterFunc covers a context package that stops doing
// so.
type slotCtx struct {
	context.Context // the caller's
	slot            context.Context
	done            <-chan struct{} // slot.Done(), kept here (see above)
}

func (a *slotCtx) Done() <-chan struct{} { return a.done }
func (a *slotCtx) Err() error            { return a.slot.Err() }

// Value returns the caller's value for key. The slot's chain (the slot,
// Client.ctx, context.Background) holds no values, only the context
// package's own cancelCtx lookup (keyed by a *int): only such keys are
// passed on to it, so every other lookup stays off the slot's cache line
// with the same answer.
func (a *slotCtx) Value(key any) any {
	if v := a.Context.Value(key); v != nil {
		return v
	}
	if _, ok := key.(*int); ok {
		return a.slot.Value(key)
	}
	return nil
}

// AfterFunc runs f once the attempt is cancelled (context.AfterFunc's
// contract); the context package uses it to link a child context.
func (a *slotCtx) AfterFunc(f func()) (stop func() bool) { return context.AfterFunc(a.slot, f) }

// attemptBound is how one attempt is bounded: not at all (the caller's
// deadline comes first), by a shared slot, or by a context and timer of its
// own (a caller context that can be cancelled, or a doubled limit).
type attemptBound struct {
	slot   *attemptSlot
	ctx    context.Context // own context
	cancel context.CancelCauseFunc
	timer  *time.Timer
}

// attemptContext bounds one attempt, sent at now, by limit.
func (c *Client) attemptContext(ctx context.Context, limit time.Duration, now time.Time) (context.Context, attemptBound) {
	if d, ok := ctx.Deadline(); ok && d.Sub(now) <= limit {
		return ctx, attemptBound{}
	}
	if ctx.Done() == nil && limit == c.cfg.Timeout {
		s := c.slots.join(c.ctx, c.m.stripes.Index(), now, limit)
		if ctx == context.Background() {
			return &s.bg, attemptBound{slot: s}
		}
		return &slotCtx{Context: ctx, slot: s.ctx, done: s.done}, attemptBound{slot: s}
	}
	actx, cancel := context.WithCancelCause(ctx)
	t := time.AfterFunc(limit, func() { cancel(errAttemptTimeout) })
	return actx, attemptBound{ctx: actx, cancel: cancel, timer: t}
}

// stop ends the bound after the attempt returned and reports whether the
// attempt was cancelled for outliving its limit.
func (b attemptBound) stop() bool {
	switch {
	case b.slot != nil:
		select {
		case <-b.slot.done:
			return context.Cause(b.slot.ctx) == errAttemptTimeout
		default:
			return false
		}
	case b.ctx != nil:
		b.timer.Stop()
		timedOut := context.Cause(b.ctx) == errAttemptTimeout
		b.cancel(nil)
		return timedOut
	}
	return false
}
