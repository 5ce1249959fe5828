package raft

// Tests of the NoriKV patch: votes on a new connection go out without
// the codec hello (norikv_aehello.go getConnForRPC).

import (
	"net"
	"testing"
	"time"
)

// TestVoteOnANewConnectionSaysNoHello: the first bytes a peer gets on a
// connection dialed for a vote are the vote, not the hello (on the old
// code the candidate sent the hello and waited for its answer first: one
// more round trip, each of which waits for a CPU on a starved machine).
// The connection, pooled after the vote, says the hello when it first
// carries AppendEntries, and they then go out binary.
func TestVoteOnANewConnectionSaysNoHello(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	first := make(chan byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer func() { _ = c.Close() }()
		var b [1]byte
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(b[:]); err == nil {
			first <- b[0]
		}
	}()
	client := newAETransport(t, true)
	client.timeout = time.Second // the silent peer fails the call
	var resp RequestVoteResponse
	_ = client.RequestVote("peer", ServerAddress(ln.Addr().String()), &RequestVoteRequest{Term: 2}, &resp)
	select {
	case b := <-first:
		if b != rpcRequestVote {
			t.Fatalf("a vote on a new connection began with byte %#x, want the vote's type %#x (0x80: the hello)", b, rpcRequestVote)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the peer got nothing")
	}

	// Against a real peer: vote, then AppendEntries on the pooled
	// connection, which says hello first and goes binary.
	peer := newAETransport(t, true)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case rpc := <-peer.Consumer():
				switch rpc.Command.(type) {
				case *RequestVoteRequest:
					rpc.Respond(&RequestVoteResponse{Term: 2, Granted: true}, nil)
				default:
					rpc.Respond(&AppendEntriesResponse{Term: 2, Success: true}, nil)
				}
			case <-done:
				return
			}
		}
	}()
	target := peer.LocalAddr()
	if err := client.RequestVote("peer", target, &RequestVoteRequest{Term: 2}, &resp); err != nil || !resp.Granted {
		t.Fatalf("vote: %v %+v", err, resp)
	}
	if binary, found := pooledBinary(client, target); !found || binary {
		t.Fatalf("after the vote: pooled %v, binary %v; want a pooled connection not yet binary", found, binary)
	}
	var aer AppendEntriesResponse
	if err := client.AppendEntries("peer", target, &AppendEntriesRequest{Term: 2}, &aer); err != nil || !aer.Success {
		t.Fatalf("append entries: %v %+v", err, aer)
	}
	if binary, found := pooledBinary(client, target); !found || !binary {
		t.Fatalf("after AppendEntries: pooled %v, binary %v; want the vote's connection, now binary", found, binary)
	}
}
