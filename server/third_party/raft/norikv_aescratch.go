package raft

// aeScratch (NoriKV patch) is what a follower's replication goroutine
// reuses from one replicateTo round to the next instead of allocating it
// every round: the request and its response, the entries' block and
// pointer slice, the previous entry looked up for PrevLogTerm, and the
// leader's encoded ID and address. A write at 64 writers is a round per
// batch and follower, and these were ~5% of a leader's allocated bytes.
//
// Reuse is safe only over a transport that encodes the request
// (encodesAppendEntries: NetworkTransport, and what embeds it): replicateTo
// is synchronous, so once AppendEntries returned the request has been
// written and the answer decoded, and nothing holds either (the
// coalescing transport copies a heartbeat it keeps). InmemTransport hands
// the request itself to the peer, whose log cache keeps the entries'
// pointers, so over it every round gets a new request as upstream does.
// The entries' Data are never copied or reused here: the block only
// holds Log structs, and release clears them after the round so the
// block does not keep entries' data alive after the log cache dropped
// them.
type aeScratch struct {
	req  AppendEntriesRequest
	resp AppendEntriesResponse
	prev Log

	block []Log
	ptrs  []*Log

	// header and leader are the leader's RPCHeader and encoded address
	// (fixed for the life of the replication), made on first use.
	header    RPCHeader
	leader    []byte
	hasHeader bool
}

// reset zeroes the request and response for a new round, keeping the
// entries' storage.
func (a *aeScratch) reset() {
	a.req = AppendEntriesRequest{}
	a.resp = AppendEntriesResponse{}
}

// release drops the references the last round left (entries' data, the
// response's), keeping the storage.
func (a *aeScratch) release() {
	clearLogs(a.block)
	for i := range a.ptrs[:cap(a.ptrs)] {
		a.ptrs[:cap(a.ptrs)][i] = nil
	}
	a.req.Entries = nil
	a.prev = Log{}
	a.resp = AppendEntriesResponse{}
}

// entries returns a pointer slice of length 0 and a zeroed block of n Logs,
// from the scratch's storage when it is large enough (it is never more
// than MaxAppendEntries).
func (a *aeScratch) entries(n int) ([]*Log, []Log) {
	if n > cap(a.block) {
		a.block = make([]Log, n)
		a.ptrs = make([]*Log, 0, n)
	}
	block := a.block[:n]
	clearLogs(block)
	return a.ptrs[:0], block
}

// clearLogs zeroes ls (the module's go line predates clear).
func clearLogs(ls []Log) {
	for i := range ls {
		ls[i] = Log{}
	}
}

// rpcHeader returns the leader's RPCHeader and encoded address, made once.
func (a *aeScratch) rpcHeader(r *Raft) (RPCHeader, []byte) {
	if !a.hasHeader {
		a.header = r.getRPCHeader()
		a.leader = r.trans.EncodePeer(r.localID, r.localAddr)
		a.hasHeader = true
	}
	return a.header, a.leader
}

// appendEntriesEncoder is implemented by transports whose AppendEntries
// keeps nothing of the request or response once it returned (they encode
// the request and decode the answer), so replicateTo may reuse both.
type appendEntriesEncoder interface {
	encodesAppendEntries()
}

// encodesAppendEntries marks NetworkTransport as an appendEntriesEncoder.
func (n *NetworkTransport) encodesAppendEntries() {}

// scratchRequest returns the request and response replicateTo sends: the
// follower's scratch when the transport encodes them, else new ones.
func (s *followerReplication) scratchRequest(trans Transport) (*AppendEntriesRequest, *AppendEntriesResponse) {
	if _, ok := trans.(appendEntriesEncoder); ok {
		s.ae.reset()
		return &s.ae.req, &s.ae.resp
	}
	return new(AppendEntriesRequest), new(AppendEntriesResponse)
}
