package raft

// Tests of the NoriKV allocation patches of the write path (README.NORIKV.md):
// a replicator's reused AppendEntries scratch, Apply's enqueue timer made
// only when the queue is full, the commitment's sort scratch, the empty
// notify map kept, the binary codec writing into the connection's buffer,
// one response channel per connection, and the leader's reused write
// result channel.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// scratchRaft is a Raft with just what setupAppendEntries needs: entries
// 1..5 (term 1) in an in-memory store behind a log cache, as nodes have,
// and a NetworkTransport (the scratch is used over transports that encode).
func scratchRaft(t *testing.T) (*Raft, *followerReplication) {
	t.Helper()
	store := NewInmemStore()
	for i := uint64(1); i <= 5; i++ {
		if err := store.StoreLog(&Log{Index: i, Term: 1, Type: LogCommand, Data: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	cache, err := NewLogCache(16, store)
	if err != nil {
		t.Fatal(err)
	}
	trans := newAETransport(t, true)
	r := &Raft{logs: cache, trans: trans, localID: "leader", localAddr: "leader"}
	conf := DefaultConfig()
	conf.LocalID = "leader"
	r.conf.Store(*conf)
	return r, &followerReplication{currentTerm: 7}
}

// TestReplicateScratchReused: the request replicateTo sends is filled from
// the follower's scratch (no allocation once it has grown), carries the
// same header, leader, previous entry and entries as a fresh request, and
// release drops its references to the entries' data.
func TestReplicateScratchReused(t *testing.T) {
	r, s := scratchRaft(t)
	var fresh AppendEntriesRequest
	if err := r.setupAppendEntries(s, &fresh, 3, 5); err != nil {
		t.Fatal(err)
	}
	req, _ := s.scratchRequest(r.trans)
	if req != &s.ae.req {
		t.Fatal("over a NetworkTransport the request is not the scratch")
	}
	if err := r.setupAppendEntries(s, req, 3, 5); err != nil {
		t.Fatal(err)
	}
	if req.Term != 7 || req.PrevLogEntry != 2 || req.PrevLogTerm != 1 || string(req.Leader) != "leader" ||
		string(req.ID) != "leader" || string(req.Addr) != "leader" || req.ProtocolVersion != fresh.ProtocolVersion {
		t.Fatalf("scratch request header %+v, want that of a fresh one %+v", *req, fresh)
	}
	if len(req.Entries) != 3 {
		t.Fatalf("%d entries, want 3", len(req.Entries))
	}
	for i, l := range req.Entries {
		if l.Index != uint64(i+3) || l.Data[0] != byte(i+3) {
			t.Fatalf("entry %d is %d (data %v), want %d", i, l.Index, l.Data, i+3)
		}
	}
	// A shorter round after a longer one: only its own entries.
	s.ae.release()
	s.ae.reset()
	if err := r.setupAppendEntries(s, req, 5, 5); err != nil {
		t.Fatal(err)
	}
	if len(req.Entries) != 1 || req.Entries[0].Index != 5 || req.PrevLogEntry != 4 {
		t.Fatalf("second round: prev %d, entries %d, want prev 4 and entry 5", req.PrevLogEntry, len(req.Entries))
	}
	s.ae.release()
	for i, l := range s.ae.block {
		if l.Data != nil || l.Index != 0 {
			t.Fatalf("after release the scratch block's entry %d still holds %+v", i, l)
		}
	}
	if s.ae.prev.Data != nil || s.ae.req.Entries != nil {
		t.Fatal("after release the scratch still references the previous entry or the entries")
	}
	allocs := testing.AllocsPerRun(100, func() {
		req, _ := s.scratchRequest(r.trans)
		_ = r.setupAppendEntries(s, req, 3, 5)
		s.ae.release()
	})
	if allocs != 0 {
		t.Fatalf("a scratch round of 3 entries made %.0f allocations, want 0", allocs)
	}
	// An in-memory transport hands the request itself to the peer, whose
	// log keeps its entries: a new request every round.
	_, inmem := NewInmemTransport("leader")
	if req, _ := s.scratchRequest(inmem); req == &s.ae.req {
		t.Fatal("over an InmemTransport the request is the scratch")
	}
}

// TestApplyTimerOnlyWhenQueueFull: with room in the apply queue an Apply
// allocates its future only (no enqueue timer); with the queue full it
// still times out with ErrEnqueueTimeout.
func TestApplyTimerOnlyWhenQueueFull(t *testing.T) {
	r := &Raft{applyCh: make(chan *logFuture, 200), shutdownCh: make(chan struct{}), hotMetrics: false}
	data := []byte("x")
	allocs := testing.AllocsPerRun(100, func() {
		_ = r.ApplyLog(Log{Data: data}, time.Minute)
	})
	if allocs > 3 {
		t.Fatalf("Apply with room in the queue made %.0f allocations, want 3 (the future, its error channel and the channel's buffer)", allocs)
	}
	full := &Raft{applyCh: make(chan *logFuture), shutdownCh: make(chan struct{})}
	if err := full.ApplyLog(Log{Data: data}, 20*time.Millisecond).Error(); !errors.Is(err, ErrEnqueueTimeout) {
		t.Fatalf("Apply to a full queue: %v, want ErrEnqueueTimeout", err)
	}
	closed := &Raft{applyCh: make(chan *logFuture), shutdownCh: make(chan struct{})}
	close(closed.shutdownCh)
	if err := closed.ApplyLog(Log{Data: data}, time.Minute).Error(); !errors.Is(err, ErrRaftShutdown) {
		t.Fatalf("Apply after shutdown: %v, want ErrRaftShutdown", err)
	}
}

// TestCommitmentRecalculateNoAlloc: a match that moves the commit index
// allocates nothing, and the index is the quorum's (median) match.
func TestCommitmentRecalculateNoAlloc(t *testing.T) {
	conf := Configuration{Servers: []Server{
		{Suffrage: Voter, ID: "a"}, {Suffrage: Voter, ID: "b"}, {Suffrage: Voter, ID: "c"},
		{Suffrage: Voter, ID: "d"}, {Suffrage: Voter, ID: "e"}, {Suffrage: Nonvoter, ID: "f"},
	}}
	c := newCommitment(make(chan struct{}, 1), conf, 1)
	for id, idx := range map[ServerID]uint64{"a": 9, "b": 3, "c": 7, "d": 1, "e": 8, "f": 100} {
		c.match(id, idx)
	}
	if got := c.getCommitIndex(); got != 7 {
		t.Fatalf("commit index %d, want 7 (3 of 5 voters store 7)", got)
	}
	next := uint64(10)
	allocs := testing.AllocsPerRun(100, func() {
		c.match("b", next)
		c.match("c", next)
		c.match("d", next)
		next++
	})
	if allocs != 0 {
		t.Fatalf("a match made %.1f allocations, want 0", allocs)
	}
	if got, want := c.getCommitIndex(), next-1; got != want { // b, c, d: 3 of 5
		t.Fatalf("commit index %d, want %d", got, want)
	}
}

// TestNotifyAllKeepsEmptyMap: a round without verify futures waiting
// allocates nothing; waiting ones are still voted and cleared.
func TestNotifyAllKeepsEmptyMap(t *testing.T) {
	s := &followerReplication{notify: make(map[*verifyFuture]struct{})}
	if allocs := testing.AllocsPerRun(100, func() { s.notifyAll(true) }); allocs != 0 {
		t.Fatalf("notifyAll with nothing waiting made %.0f allocations, want 0", allocs)
	}
	voted := make(chan *verifyFuture, 1)
	v := &verifyFuture{quorumSize: 1, notifyCh: voted}
	s.notify[v] = struct{}{}
	s.notifyAll(true)
	select {
	case got := <-voted:
		if got != v || got.votes != 1 {
			t.Fatalf("voted %p with %d votes, want %p with 1", got, got.votes, v)
		}
	default:
		t.Fatal("the waiting verify future was not voted")
	}
	if len(s.notify) != 0 {
		t.Fatalf("%d futures left waiting after notifyAll", len(s.notify))
	}
}

// TestAECodecWritesWithoutAllocating: encoding a request and a response
// into a connection's bufio.Writer, flushed after each as the transport
// does, allocates nothing; through a buffer smaller than the pieces (which
// then take a slice of their own) it decodes as what went in.
func TestAECodecWritesWithoutAllocating(t *testing.T) {
	req := aeCases()["extensions and times"]
	w := bufio.NewWriter(io.Discard)
	if allocs := testing.AllocsPerRun(100, func() { _ = writeAppendEntriesBinary(w, req); _ = w.Flush() }); allocs != 0 {
		t.Fatalf("writing an AppendEntries made %.0f allocations, want 0", allocs)
	}
	resp := &AppendEntriesResponse{RPCHeader: RPCHeader{ID: []byte("n2"), Addr: []byte("127.0.0.1:7002")}, Term: 5, LastLog: 9, Success: true}
	if allocs := testing.AllocsPerRun(100, func() { _ = writeAEResponseBinary(w, nil, resp); _ = w.Flush() }); allocs != 0 {
		t.Fatalf("writing an AppendEntries response made %.0f allocations, want 0", allocs)
	}
	var buf bytes.Buffer
	tiny := bufio.NewWriterSize(&buf, 16)
	if err := writeAppendEntriesBinary(tiny, req); err != nil {
		t.Fatal(err)
	}
	if err := tiny.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := decodeAE(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sameAE(t, req, got)
}

// TestConnRPCsShareResponseChannel: the AppendEntries a connection
// carries one after the other are answered through one channel, each
// with its own answer.
func TestConnRPCsShareResponseChannel(t *testing.T) {
	server, client := newAETransport(t, true), newAETransport(t, true)
	chans := make(chan chan<- RPCResponse, 8)
	go func() {
		for rpc := range server.Consumer() {
			a, _ := rpc.Command.(*AppendEntriesRequest)
			chans <- rpc.RespChan
			rpc.Respond(&AppendEntriesResponse{Term: a.Term, LastLog: a.PrevLogEntry + 1, Success: true}, nil)
		}
	}()
	var first chan<- RPCResponse
	for i := uint64(1); i <= 4; i++ {
		var resp AppendEntriesResponse
		req := &AppendEntriesRequest{Term: 3, PrevLogEntry: i, Entries: []*Log{{Index: i + 1, Term: 3, Data: []byte("v")}}}
		if err := client.AppendEntries("s", server.LocalAddr(), req, &resp); err != nil {
			t.Fatal(err)
		}
		if resp.LastLog != i+1 || !resp.Success {
			t.Fatalf("answer %d: %+v, want LastLog %d", i, resp, i+1)
		}
		ch := <-chans
		if first == nil {
			first = ch
		} else if ch != first {
			t.Fatalf("RPC %d on the same connection got a response channel of its own", i)
		}
	}
}

// TestStoreLogsCommittingReusesChannel: the leader's write of its own
// entries hands its result back through one channel made once (the write
// runs on a goroutine so commits can be processed meanwhile).
func TestStoreLogsCommittingReusesChannel(t *testing.T) {
	store := NewInmemStore()
	r := &Raft{logs: store}
	r.leaderState.commitCh = make(chan struct{}, 1)
	logs := []*Log{{Index: 1, Term: 1, Type: LogCommand, Data: []byte("x")}}
	if _, err := r.storeLogsCommitting(logs, nil, nil); err != nil {
		t.Fatal(err)
	}
	ch := r.storeDone
	if ch == nil {
		t.Fatal("no result channel kept")
	}
	allocs := testing.AllocsPerRun(50, func() { _, _ = r.storeLogsCommitting(logs, nil, nil) })
	if r.storeDone != ch {
		t.Fatal("a later write made a new result channel")
	}
	if allocs > 1 {
		t.Fatalf("a write made %.0f allocations, want at most 1 (its goroutine's closure)", allocs)
	}
	var l Log
	if err := store.GetLog(1, &l); err != nil || string(l.Data) != "x" {
		t.Fatalf("entry not stored: %v %+v", err, l)
	}
}
