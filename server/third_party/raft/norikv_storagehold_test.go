package raft

// Tests of the NoriKV patch (README.NORIKV.md): the storage hold of a node
// that cannot write its log (votehold.go, SetStorageHold).

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestStorageHold: while the hold is on, a node refuses votes and
// pre-votes and, once its heartbeat timeout passes with no leader, starts
// no election (it says so once); cleared, it votes again.
func TestStorageHold(t *testing.T) {
	var logged syncBuffer
	r, _, n2 := heldNodeLogging(t, false, hclog.New(&hclog.LoggerOptions{Output: &logged, Level: hclog.Warn}))
	r.SetStorageHold(true)
	if !r.StorageHeld() {
		t.Fatal("StorageHeld = false after SetStorageHold(true)")
	}
	if pre, v := vote(t, r, n2, "n2", 5, 3, 4); pre || v {
		t.Fatalf("node holding for its storage granted pre-vote %v, vote %v to n2", pre, v)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logged.String(), "not starting an election: this node cannot write its log") {
		if time.Now().After(deadline) {
			t.Fatalf("no refused election logged in a minute:\n%s", logged.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st, term := r.State(), r.getCurrentTerm(); st != Follower || term != 1 {
		t.Fatalf("held node is %v in term %d after its heartbeat timeout, want a follower in term 1", st, term)
	}
	r.SetStorageHold(false)
	if pre, v := vote(t, r, n2, "n2", 5, 3, 4); !pre || !v {
		t.Fatalf("node released from its storage hold refused n2: pre-vote %v, vote %v", pre, v)
	}
}

// TestStorageHoldRefusesLeadershipTransfer: a leader handing its
// leadership to a node that cannot write its log (TimeoutNow) used to make
// it campaign at once, win with the longest log and drop the leadership at
// its first write; now the transfer fails and the node stays a follower.
func TestStorageHoldRefusesLeadershipTransfer(t *testing.T) {
	r, n1, _ := heldNode(t, false)
	r.SetStorageHold(true)
	var resp TimeoutNowResponse
	err := n1.TimeoutNow("n3", "n3", &TimeoutNowRequest{RPCHeader: header("n1")}, &resp)
	if err == nil || !strings.Contains(err.Error(), "cannot write its log") {
		t.Fatalf("TimeoutNow to a node under the storage hold = %v, want it refused", err)
	}
	if st, term := r.State(), r.getCurrentTerm(); st != Follower || term != 1 {
		t.Fatalf("after a refused TimeoutNow the node is %v in term %d, want a follower in term 1", st, term)
	}
	r.SetStorageHold(false)
	if err := n1.TimeoutNow("n3", "n3", &TimeoutNowRequest{RPCHeader: header("n1")}, &resp); err != nil {
		t.Fatalf("TimeoutNow after the hold ended: %v", err)
	}
}
