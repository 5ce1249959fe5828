package raft

// Tests of the NoriKV patch (README.NORIKV.md): binary AppendEntries over
// real NetworkTransports on loopback, and the fallback to msgpack for a
// peer that does not know it.

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func newAETransport(t *testing.T, binary bool) *NetworkTransport {
	t.Helper()
	tr, err := NewTCPTransportWithConfig("127.0.0.1:0", nil, &NetworkTransportConfig{
		MaxPool: 2, Timeout: 5 * time.Second, BinaryAppendEntries: binary,
		Logger: hclog.New(&hclog.LoggerOptions{Output: io.Discard}),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// serveAE answers every AppendEntries on tr with resp and hands the
// requests it got to the returned channel.
func serveAE(t *testing.T, tr *NetworkTransport, resp *AppendEntriesResponse) <-chan *AppendEntriesRequest {
	got := make(chan *AppendEntriesRequest, 16)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case rpc := <-tr.Consumer():
				if a, ok := rpc.Command.(*AppendEntriesRequest); ok {
					got <- a
				}
				rpc.Respond(resp, nil)
			case <-done:
				return
			}
		}
	}()
	return got
}

func pooledBinary(tr *NetworkTransport, target ServerAddress) (binary, found bool) {
	tr.connPoolLock.Lock()
	defer tr.connPoolLock.Unlock()
	conns := tr.connPool[target]
	if len(conns) == 0 {
		return false, false
	}
	return conns[0].binaryAE, true
}

// TestNetworkTransportBinaryAppendEntries sends a batch from a transport
// with the codec on to a newer peer (binary), to a peer with it off (it
// still reads binary) and to a stand-in for an older node (msgpack after
// the hello is refused, and no hello again for a while).
func TestNetworkTransportBinaryAppendEntries(t *testing.T) {
	want := aeCases()["extensions and times"]
	wantResp := &AppendEntriesResponse{RPCHeader: RPCHeader{ProtocolVersion: 3, ID: []byte("peer")}, Term: 5, LastLog: 6, Success: true}
	for _, tc := range []struct {
		name       string
		peerBinary bool
		older      bool
		wantBinary bool
	}{
		{"newer peer", true, false, true},
		{"peer with the codec off", false, false, true},
		{"older peer", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := newAETransport(t, true)
			peer := newAETransport(t, tc.peerBinary)
			peer.standInForOlderNode = tc.older
			got := serveAE(t, peer, wantResp)
			target := peer.LocalAddr()
			for round := 0; round < 3; round++ {
				var resp AppendEntriesResponse
				if err := client.AppendEntries("peer", target, want, &resp); err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if !resp.Success || resp.Term != 5 || resp.LastLog != 6 || string(resp.ID) != "peer" || resp.ProtocolVersion != 3 {
					t.Fatalf("round %d: response %+v", round, resp)
				}
				sameAE(t, want, <-got)
				binary, found := pooledBinary(client, target)
				if !found || binary != tc.wantBinary {
					t.Fatalf("round %d: pooled connection binary=%v (found %v), want %v", round, binary, found, tc.wantBinary)
				}
			}
			if legacy := client.isLegacyPeer(target); legacy != tc.older {
				t.Fatalf("peer remembered as older: %v, want %v", legacy, tc.older)
			}
		})
	}
}

// TestNetworkTransportBinaryAppendEntriesError: a remote error comes back
// as the call's error, and the connection stays usable.
func TestNetworkTransportBinaryAppendEntriesError(t *testing.T) {
	client := newAETransport(t, true)
	peer := newAETransport(t, true)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case rpc := <-peer.Consumer():
				rpc.Respond(&AppendEntriesResponse{Term: 4}, io.ErrUnexpectedEOF)
			case <-done:
				return
			}
		}
	}()
	for i := 0; i < 2; i++ {
		var resp AppendEntriesResponse
		err := client.AppendEntries("peer", peer.LocalAddr(), &AppendEntriesRequest{Term: 4, PrevLogEntry: 1}, &resp)
		if err == nil || err.Error() != io.ErrUnexpectedEOF.Error() || resp.Term != 4 {
			t.Fatalf("call %d: err %v, resp %+v", i, err, resp)
		}
	}
	if binary, found := pooledBinary(client, peer.LocalAddr()); !found || !binary {
		t.Fatalf("connection not pooled as binary after a remote error (found %v)", found)
	}
}

// TestNetworkTransportHelloTimeout: a peer that takes the connection but
// never answers (a stopped process) fails the call; it is not taken for
// an older node, so it gets binary AppendEntries once it answers again.
func TestNetworkTransportHelloTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, unanswered, until the test ends
		}
	}()
	client, err := NewTCPTransportWithConfig("127.0.0.1:0", nil, &NetworkTransportConfig{
		MaxPool: 2, Timeout: 200 * time.Millisecond, BinaryAppendEntries: true,
		Logger: hclog.New(&hclog.LoggerOptions{Output: io.Discard}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	target := ServerAddress(ln.Addr().String())
	var resp AppendEntriesResponse
	if err := client.AppendEntries("peer", target, &AppendEntriesRequest{Term: 1}, &resp); err == nil {
		t.Fatal("AppendEntries to a silent peer succeeded")
	}
	if client.isLegacyPeer(target) {
		t.Fatal("a silent peer was taken for an older node")
	}
}
