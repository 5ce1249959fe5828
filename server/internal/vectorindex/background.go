package vectorindex

import (
	"fmt"
	"runtime"
	"slices"
)

// Background indexing. Linking a vector into the HNSW graph costs tens of
// microseconds of CPU; a replicated state machine that does it inside its
// apply loop acknowledges writes only as fast as every replica builds its
// graph. In background mode (SetBackground) Upsert and Delete append the
// operation to an ordered pending queue and return; one goroutine takes the
// operations from the head, in queue order, and applies them exactly as the
// synchronous path does, so the graph stays a function of the operation
// order and replicas hold identical graphs once their queues drain.
// Searches and reads see the logical state: graph results whose id has a
// pending operation are dropped, and the latest pending vector of every
// id is scanned exactly and merged.
//
// Locks, always taken in this order: emu serializes enqueuers (Upsert,
// Delete) and the mode switch; wmu serializes graph writers (the indexer,
// Compact, Clone, WriteSnapshot); mu guards the graph (searches read it);
// qmu guards the queue. The indexer pops an operation under mu's write
// lock, in the same section that makes it visible in the graph, so a
// search never sees an id twice or not at all.

const (
	// MaxPendingOps bounds the queue by count; an enqueue past it waits
	// for the indexer (back-pressure on the apply loop).
	MaxPendingOps = 32768
	// MaxPendingBytes bounds the queue's vectors and ids, in bytes.
	MaxPendingBytes = 64 << 20
	// pendingOpBytes is an operation's overhead beyond its id and vector.
	pendingOpBytes = 64
)

// pendingOp is one queued write: an upsert (vec set) or a delete (vec nil).
type pendingOp struct {
	id         string
	vec        []float32 // a private copy, never changed once queued
	inv        float32   // cosine: 1/|vec|
	superseded bool      // a later op for the same id is queued
}

func (op *pendingOp) bytes() int64 { return int64(len(op.id)+4*len(op.vec)) + pendingOpBytes }

// queue is the pending state; every field is guarded by Index.qmu.
type queue struct {
	ops     []pendingOp
	head    int               // ops[head:] are pending
	seqHead uint64            // sequence number of ops[head]
	latest  map[string]uint64 // id -> sequence number of its latest pending op
	bytes   int64             // of the pending ops
	live    int               // live vectors of the logical state (background mode)
	running bool              // the indexer goroutine is running
	// Goroutines waiting in enqueue for room, and in Drain for an empty
	// queue: popHead wakes them only when they can go on.
	roomWaiters, drainWaiters int
	closed                    bool // Close was called
}

func (q *queue) pending() int { return len(q.ops) - q.head }

// at returns the pending op with sequence number seq.
func (q *queue) at(seq uint64) *pendingOp { return &q.ops[q.head+int(seq-q.seqHead)] }

// SetBackground turns background indexing on or off. Only HNSW indexes
// have a background mode (brute-force writes are cheap); the call is a
// no-op for them. Turning it off waits until the queue has drained.
func (ix *Index) SetBackground(on bool) {
	if ix.g == nil {
		return
	}
	ix.emu.Lock()
	defer ix.emu.Unlock()
	ix.qmu.RLock()
	closed := ix.q.closed
	ix.qmu.RUnlock()
	if closed {
		return // a closed index keeps its queue as it is
	}
	if !on {
		ix.Drain()
	}
	ix.wmu.Lock()
	ix.mu.Lock()
	ix.qmu.Lock()
	if on && !ix.bg {
		ix.q.live = ix.live
	}
	ix.bg = on
	ix.startIndexerLocked()
	ix.qmu.Unlock()
	ix.mu.Unlock()
	ix.wmu.Unlock()
}

// Background reports whether the index is in background mode.
func (ix *Index) Background() bool {
	ix.qmu.RLock()
	defer ix.qmu.RUnlock()
	return ix.bg
}

// Pending returns the number of writes not yet linked into the graph.
func (ix *Index) Pending() int { return int(ix.npend.Load()) }

// Drain waits until every pending write is in the graph, or the index is
// closed. It starts the indexer if writes are pending and it is idle (a
// clone or a restored index).
func (ix *Index) Drain() {
	ix.qmu.Lock()
	defer ix.qmu.Unlock()
	ix.startIndexerLocked()
	for ix.q.pending() > 0 && !ix.q.closed {
		ix.q.drainWaiters++
		ix.qcond.Wait()
		ix.q.drainWaiters--
	}
}

// Close stops the background indexer and waits for it to finish the
// write it is linking. Pending writes stay queued (reads still see them)
// but are never linked; later Upserts fail with ErrClosed. An index that
// is dropped or replaced must be closed so its goroutine ends.
func (ix *Index) Close() {
	ix.qmu.Lock()
	ix.q.closed = true
	ix.qcond.Broadcast()
	for ix.q.running {
		ix.qcond.Wait()
	}
	ix.qmu.Unlock()
	ix.wmu.Lock()
	ix.releaseLarge()
	ix.wmu.Unlock()
}

// startIndexerLocked starts the indexer when writes are pending and none
// runs. The goroutine exits as soon as the queue is empty, so an idle or
// dropped index holds none. qmu must be held.
func (ix *Index) startIndexerLocked() {
	if ix.q.running || ix.q.closed || ix.q.pending() == 0 {
		return
	}
	ix.q.running = true
	go ix.runIndexer()
}

// runIndexer applies pending writes from the head of the queue, in order.
func (ix *Index) runIndexer() {
	for {
		ix.qmu.Lock()
		if ix.q.closed || ix.q.pending() == 0 {
			ix.q.running = false
			ix.qcond.Broadcast()
			ix.qmu.Unlock()
			return
		}
		op := ix.q.ops[ix.q.head]
		ix.qmu.Unlock()
		// Pass the gate: a test holding it pauses indexing here.
		ix.gate.Lock()
		//lint:ignore SA2001 the empty section is the point: wait while a test holds the gate
		ix.gate.Unlock()
		ix.wmu.Lock()
		if op.vec == nil {
			ix.applyDelete(op.id, ix.popHead)
		} else {
			// An error here (ErrFull) was reported at enqueue time where it
			// could be; the op is dropped either way, as the synchronous
			// path would have dropped it.
			_ = ix.applyUpsert(op.id, op.vec, ix.popHead)
		}
		ix.wmu.Unlock()
		// Let the replication and apply goroutines run first: on a busy
		// node the indexers of several replicas would otherwise take the
		// cores from the write path they are meant to get out of.
		runtime.Gosched()
	}
}

// popHead removes the head op once the graph holds its effect. mu's write
// lock must be held, so searches see the op in the queue or in the graph.
func (ix *Index) popHead() {
	ix.qmu.Lock()
	defer ix.qmu.Unlock()
	q := &ix.q
	op := &q.ops[q.head]
	if q.latest[op.id] == q.seqHead {
		delete(q.latest, op.id)
	}
	q.bytes -= op.bytes()
	*op = pendingOp{}
	q.head++
	q.seqHead++
	if q.head == len(q.ops) {
		q.ops, q.head = q.ops[:0], 0
	} else if q.head >= 4096 && q.head*2 >= len(q.ops) {
		n := copy(q.ops, q.ops[q.head:])
		clear(q.ops[n:])
		q.ops, q.head = q.ops[:n], 0
	}
	ix.npend.Add(-1)
	// Wake only someone this pop can help, not every waiter on every
	// linked write.
	if q.roomWaiters > 0 || q.drainWaiters > 0 && q.pending() == 0 {
		ix.qcond.Broadcast()
	}
}

// enqueue queues an upsert (vec non-nil) or delete of id and reports
// whether id existed in the logical state before it. It waits while the
// queue is full. emu must be held.
func (ix *Index) enqueue(id string, vec []float32) (bool, error) {
	var op pendingOp
	op.id = id
	if vec != nil {
		op.vec = slices.Clone(vec)
		if ix.cfg.Distance == Cosine {
			op.inv = invNorm(vec)
		}
	}
	ix.qmu.Lock()
	for !ix.q.closed && (ix.q.pending() >= MaxPendingOps || ix.q.bytes+op.bytes() > MaxPendingBytes && ix.q.pending() > 0) {
		ix.startIndexerLocked()
		ix.q.roomWaiters++
		ix.qcond.Wait()
		ix.q.roomWaiters--
	}
	closed := ix.q.closed
	ix.qmu.Unlock()
	if closed && vec != nil {
		return false, fmt.Errorf("upsert %q: %w", id, ErrClosed)
	}
	// Only this enqueuer adds ops (emu), so the room found above remains.
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.qmu.Lock()
	defer ix.qmu.Unlock()
	q := &ix.q
	existed := ix.existsLocked(id)
	if vec != nil && !existed && len(ix.free) == 0 && len(ix.state)+q.pending() >= maxSlots {
		return false, fmt.Errorf("upsert %q: index holds %d slots, the most it can: %w", id, len(ix.state), ErrFull)
	}
	if vec == nil && !existed {
		return false, nil // nothing to delete; the synchronous path changes nothing either
	}
	ix.appendOp(op, existed)
	ix.startIndexerLocked()
	return existed, nil
}

// appendOp queues op; existed says whether its id is live before it. qmu
// must be held (or the index not yet shared).
func (ix *Index) appendOp(op pendingOp, existed bool) {
	q := &ix.q
	if prev, ok := q.latest[op.id]; ok {
		q.at(prev).superseded = true
	}
	if q.latest == nil {
		q.latest = make(map[string]uint64)
	}
	q.latest[op.id] = q.seqHead + uint64(q.pending())
	q.ops = append(q.ops, op)
	q.bytes += op.bytes()
	switch {
	case op.vec != nil && !existed:
		q.live++
	case op.vec == nil && existed:
		q.live--
	}
	ix.npend.Add(1)
}

// requeue appends a restored pending write without waiting or locking;
// only ReadSnapshot calls it, on an index no one else holds yet.
func (ix *Index) requeue(id string, vec []float32) {
	op := pendingOp{id: id, vec: vec}
	if vec != nil && ix.cfg.Distance == Cosine {
		op.inv = invNorm(vec)
	}
	ix.appendOp(op, ix.existsLocked(id))
}

// existsLocked reports whether id is live in the logical state. mu (read)
// and qmu must be held.
func (ix *Index) existsLocked(id string) bool {
	if seq, ok := ix.q.latest[id]; ok {
		return ix.q.at(seq).vec != nil
	}
	_, ok := ix.byID[id]
	return ok
}

// hidden reports whether slot s's id has a pending op, so that the graph's
// copy is not the logical one. mu (read) and qmu (read) must be held.
func (ix *Index) hidden(s int32) bool {
	_, ok := ix.q.latest[ix.ids[s]]
	return ok
}
