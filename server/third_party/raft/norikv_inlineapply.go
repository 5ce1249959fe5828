// NoriKV patch: Config.LeaderAppliesInline (see README.NORIKV.md).

package raft

import (
	"sync"
	"sync/atomic"
	"time"

	metrics "github.com/hashicorp/go-metrics/compat"
)

// inlineApplyMax and inlineApplyMaxBytes bound a batch a leader applies
// on its own goroutine (entries, and bytes of their Data); larger ones (a
// backlog, large values, an application's batch commands) go to the FSM
// goroutine so the leader loop is not held up by them.
const (
	inlineApplyMax      = 64
	inlineApplyMaxBytes = 64 << 10
)

// fsmState is the state runFSM and a leader's inline apply share. Every
// call into the FSM (Apply, ApplyBatch, StoreConfiguration, Snapshot,
// Restore) is made holding mu, so they never overlap, and lastIndex and
// lastTerm (the last entry the FSM holds) are read and written under it.
type fsmState struct {
	inline bool // Config.LeaderAppliesInline, fixed at NewRaft

	mu                  sync.Mutex
	lastIndex, lastTerm uint64 // under mu

	// queued counts the items sent to fsmMutateCh that runFSM has not
	// finished. Only the raft goroutine sends (and so increments), and
	// runFSM decrements after it released mu, so when the raft goroutine
	// reads 0 every item it handed over has been applied.
	queued atomic.Int64

	inlineBatches atomic.Uint64 // batches applied inline, for tests
}

// sendToFSM hands item to runFSM through fsmMutateCh, or reports false
// when raft shuts down first. Only the raft goroutine calls it.
func (r *Raft) sendToFSM(item interface{}) bool {
	r.fsmState.queued.Add(1)
	select {
	case r.fsmMutateCh <- item:
		return true
	case <-r.shutdownCh:
		r.fsmState.queued.Add(-1)
		return false
	}
}

// applyInline applies batch on the calling (raft) goroutine and answers
// its futures, if inline applies are on, the batch is small (entries and
// bytes), nothing
// handed to runFSM is still pending and the FSM is not in use (a
// snapshot, say). It reports whether it did; if not, the caller hands the
// batch to runFSM as before.
func (r *Raft) applyInline(batch []*commitTuple) bool {
	s := &r.fsmState
	if !s.inline || len(batch) > inlineApplyMax || s.queued.Load() != 0 {
		return false
	}
	size := 0
	for _, ct := range batch {
		size += len(ct.log.Data)
	}
	if size > inlineApplyMaxBytes || !s.mu.TryLock() {
		return false
	}
	r.fsmApplyBatch(batch)
	s.mu.Unlock()
	s.inlineBatches.Add(1)
	return true
}

// fsmApplyBatch applies reqs to the FSM and answers their futures; the
// caller holds fsmState.mu. It is runFSM's applyBatch (with applySingle
// for an FSM without ApplyBatch) moved out of runFSM unchanged, so that
// the inline path runs the same code.
func (r *Raft) fsmApplyBatch(reqs []*commitTuple) {
	batchingFSM, batchingEnabled := r.fsm.(BatchingFSM)
	if !batchingEnabled {
		for _, ct := range reqs {
			r.fsmApplySingle(ct)
		}
		return
	}

	// Only send LogCommand and LogConfiguration log types. LogBarrier types
	// will not be sent to the FSM.
	shouldSend := func(l *Log) bool {
		switch l.Type {
		case LogCommand, LogConfiguration:
			return true
		}
		return false
	}

	var lastBatchIndex, lastBatchTerm uint64
	sendLogs := make([]*Log, 0, len(reqs))
	for _, req := range reqs {
		if shouldSend(req.log) {
			sendLogs = append(sendLogs, req.log)
		}
		lastBatchIndex = req.log.Index
		lastBatchTerm = req.log.Term
	}

	var responses []interface{}
	if len(sendLogs) > 0 {
		start := time.Now()
		responses = batchingFSM.ApplyBatch(sendLogs)
		if r.hotMetrics { // NoriKV patch
			metrics.MeasureSince([]string{"raft", "fsm", "applyBatch"}, start)
			metrics.AddSample([]string{"raft", "fsm", "applyBatchNum"}, float32(len(reqs)))
		}

		// Ensure we get the expected responses
		if len(sendLogs) != len(responses) {
			panic("invalid number of responses")
		}
	}

	// Update the indexes
	r.fsmState.lastIndex = lastBatchIndex
	r.fsmState.lastTerm = lastBatchTerm

	var i int
	for _, req := range reqs {
		var resp interface{}
		// If the log was sent to the FSM, retrieve the response.
		if shouldSend(req.log) {
			resp = responses[i]
			i++
		}

		if req.future != nil {
			req.future.response = resp
			req.future.respond(nil)
		}
	}
}

// fsmApplySingle is runFSM's applySingle; the caller holds fsmState.mu.
func (r *Raft) fsmApplySingle(req *commitTuple) {
	// Apply the log if a command or config change
	var resp interface{}
	// Make sure we send a response
	defer func() {
		// Invoke the future if given
		if req.future != nil {
			req.future.response = resp
			req.future.respond(nil)
		}
	}()

	switch req.log.Type {
	case LogCommand:
		start := time.Now()
		resp = r.fsm.Apply(req.log)
		if r.hotMetrics { // NoriKV patch
			metrics.MeasureSince([]string{"raft", "fsm", "apply"}, start)
		}

	case LogConfiguration:
		configStore, configStoreEnabled := r.fsm.(ConfigurationStore)
		if !configStoreEnabled {
			// Return early to avoid incrementing the index and term for
			// an unimplemented operation.
			return
		}

		start := time.Now()
		configStore.StoreConfiguration(req.log.Index, DecodeConfiguration(req.log.Data))
		metrics.MeasureSince([]string{"raft", "fsm", "store_config"}, start)
	}

	// Update the indexes
	r.fsmState.lastIndex = req.log.Index
	r.fsmState.lastTerm = req.log.Term
}
