package raft

// Tests of the NoriKV patch (README.NORIKV.md): the vote hold of a voter
// restarted without its data (votehold.go).

import (
	"testing"

	"github.com/hashicorp/go-hclog"
)

// heldNode starts n3 of a three-voter cluster from a fresh bootstrap (an
// empty log but for the configuration) with the given hold, and returns it
// with a transport of n1 and one of n2 connected to it.
func heldNode(t *testing.T, hold bool) (r *Raft, n1, n2 *InmemTransport) {
	t.Helper()
	return heldNodeLogging(t, hold, hclog.NewNullLogger())
}

// heldNodeLogging is heldNode with the node logging to logger.
func heldNodeLogging(t *testing.T, hold bool, logger hclog.Logger) (r *Raft, n1, n2 *InmemTransport) {
	t.Helper()
	store := NewInmemStore()
	snaps := NewInmemSnapshotStore()
	addr3, trans3 := NewInmemTransport("n3")
	addr1, t1 := NewInmemTransport("n1")
	addr2, t2 := NewInmemTransport("n2")
	t1.Connect(addr3, trans3)
	t2.Connect(addr3, trans3)
	conf := DefaultConfig()
	conf.LocalID = "n3"
	conf.Logger = logger
	conf.HoldVoteUntilCaughtUp = hold
	cfg := Configuration{Servers: []Server{
		{ID: "n1", Address: addr1, Suffrage: Voter},
		{ID: "n2", Address: addr2, Suffrage: Voter},
		{ID: "n3", Address: addr3, Suffrage: Voter},
	}}
	if err := BootstrapCluster(conf, store, store, snaps, trans3, cfg); err != nil {
		t.Fatal(err)
	}
	r, err := NewRaft(conf, &MockFSM{}, store, store, snaps, trans3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Shutdown().Error() })
	return r, t1, t2
}

func header(id string) RPCHeader {
	return RPCHeader{ProtocolVersion: ProtocolVersionMax, ID: []byte(id), Addr: []byte(id)}
}

// vote asks r for its vote (and first its pre-vote) as candidate id with a
// log ending at (index, term) and reports whether both were granted.
func vote(t *testing.T, r *Raft, tr *InmemTransport, id string, term, index, logTerm uint64) (preVote, vote bool) {
	t.Helper()
	var pre RequestPreVoteResponse
	if err := tr.RequestPreVote("n3", "n3", &RequestPreVoteRequest{RPCHeader: header(id), Term: term, LastLogIndex: index, LastLogTerm: logTerm}, &pre); err != nil {
		t.Fatal(err)
	}
	var resp RequestVoteResponse
	if err := tr.RequestVote("n3", "n3", &RequestVoteRequest{RPCHeader: header(id), Term: term, LastLogIndex: index, LastLogTerm: logTerm}, &resp); err != nil {
		t.Fatal(err)
	}
	return pre.Granted, resp.Granted
}

// appendEntries sends n1's entries from..to of term to r, with prev the
// entry before them (index, term) and the leader's commit index.
func appendEntries(t *testing.T, tr *InmemTransport, term, prevIndex, prevTerm, from, to, commit uint64) {
	t.Helper()
	req := &AppendEntriesRequest{RPCHeader: header("n1"), Term: term, PrevLogEntry: prevIndex, PrevLogTerm: prevTerm, LeaderCommitIndex: commit}
	for i := from; i <= to; i++ {
		req.Entries = append(req.Entries, &Log{Index: i, Term: term, Type: LogNoop})
	}
	var resp AppendEntriesResponse
	if err := tr.AppendEntries("n3", "n3", req, &resp); err != nil {
		t.Fatal(err)
	}
	if !resp.Success {
		t.Fatalf("AppendEntries %d..%d (prev %d/%d) refused", from, to, prevIndex, prevTerm)
	}
}

// TestVoteHoldUntilCaughtUp: a node bootstrapped afresh with the hold
// refuses votes and pre-votes, also from a candidate with a longer log,
// until it holds the leader's commit index; heartbeats and a partial
// catch-up do not release it; then it votes as any node.
func TestVoteHoldUntilCaughtUp(t *testing.T) {
	r, n1, n2 := heldNode(t, true)
	if !r.VoteHeld() {
		t.Fatal("VoteHeld = false on a node started with the hold")
	}
	if pre, v := vote(t, r, n2, "n2", 5, 3, 4); pre || v {
		t.Fatalf("held node granted pre-vote %v, vote %v to n2", pre, v)
	}

	// n1 leads term 6 with entries up to 5, all committed; n3 gets 2..3.
	appendEntries(t, n1, 6, 1, 1, 2, 3, 5)
	var hb AppendEntriesResponse
	if err := n1.AppendEntries("n3", "n3", &AppendEntriesRequest{RPCHeader: header("n1"), Term: 6}, &hb); err != nil {
		t.Fatal(err)
	}
	if !r.VoteHeld() {
		t.Fatal("released after catching up to 3 of a commit index of 5")
	}
	if pre, v := vote(t, r, n1, "n1", 7, 5, 6); pre || v {
		t.Fatalf("node caught up to 3 of 5 granted pre-vote %v, vote %v", pre, v)
	}

	appendEntries(t, n1, 6, 3, 6, 4, 5, 5)
	if r.VoteHeld() {
		t.Fatal("still held after holding the leader's commit index")
	}
	if pre, v := vote(t, r, n1, "n1", 8, 5, 6); !pre || !v {
		t.Fatalf("caught-up node refused n1: pre-vote %v, vote %v", pre, v)
	}
}

// TestNoVoteHoldVotesAtOnce is the control: the same node without the hold
// grants its vote right after starting, as upstream Raft does.
func TestNoVoteHoldVotesAtOnce(t *testing.T) {
	r, _, n2 := heldNode(t, false)
	if r.VoteHeld() {
		t.Fatal("VoteHeld = true without the hold")
	}
	if pre, v := vote(t, r, n2, "n2", 5, 3, 4); !pre || !v {
		t.Fatalf("node without the hold refused n2: pre-vote %v, vote %v", pre, v)
	}
}
