package client

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// refuser accepts connections and closes them at once, as a node at its
// cap of client connections does (server/internal/connlimit).
func refuser(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return l.Addr().String()
}

// A shard whose leader is alive but refuses this client's connections (a
// node out of file descriptors, at its connection cap): the other node
// names it, the attempts there fail, and the client used to give up with
// "an election is probably in progress", which sent people looking for an
// election that was not happening.
func TestUnreachableLeaderIsNotAnElection(t *testing.T) {
	follower := startFake(t, fakeServices{})
	leader := refuser(t)
	follower.set(func(f *fakeNode) {
		f.onPut = func(ctx context.Context, _ int, _ *norikvpb.PutRequest) (*norikvpb.PutResponse, error) {
			return nil, notLeader(ctx, hintKey, leader, false)
		}
	})
	c := newTestClient(t, false, follower.addr)
	_, err := c.Put(ctxT(t), []byte("k"), []byte("v"), nil)
	var nl *NoLeaderError
	if !errors.As(err, &nl) || !errors.Is(err, ErrNoLeader) {
		t.Fatalf("Put = %v, want a *NoLeaderError", err)
	}
	if nl.HintedLeaderErr == "" || strings.Contains(err.Error(), "election") ||
		!strings.Contains(err.Error(), "name "+leader+" as its leader, and it could not be reached") {
		t.Fatalf("Put error %q (HintedLeaderErr %q): want it to say the named leader %s could not be reached", err, nl.HintedLeaderErr, leader)
	}
}
