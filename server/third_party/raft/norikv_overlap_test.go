package raft

// Tests of the NoriKV patch (README.NORIKV.md): Config.ReplicateBeforeLocalWrite.

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// gatedStore is an InmemStore whose StoreLogs can be held (to stand for a
// slow fsync) or made to fail once.
type gatedStore struct {
	*InmemStore
	mu       sync.Mutex
	gate     chan struct{} // non-nil: StoreLogs waits until it is closed
	entered  chan struct{} // closed when a held StoreLogs started waiting
	failNext bool
	failHeld bool // the held StoreLogs fails once released
}

func (s *gatedStore) StoreLogs(logs []*Log) error {
	s.mu.Lock()
	gate, entered, fail, failHeld := s.gate, s.entered, s.failNext, s.failHeld
	s.failNext = false
	if gate != nil {
		s.gate, s.entered, s.failHeld = nil, nil, false
	}
	s.mu.Unlock()
	if fail {
		return errors.New("injected write failure")
	}
	if gate != nil {
		close(entered)
		<-gate
		if failHeld {
			return errors.New("injected write failure")
		}
	}
	return s.InmemStore.StoreLogs(logs)
}

func (s *gatedStore) StoreLog(l *Log) error { return s.StoreLogs([]*Log{l}) }

// hold makes the next StoreLogs wait until release is called.
func (s *gatedStore) hold() (entered <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.entered = make(chan struct{}), make(chan struct{})
	gate := s.gate
	return s.entered, func() { close(gate) }
}

type overlapCluster struct {
	rafts  []*Raft
	stores []*gatedStore
	fsms   []*MockFSM
}

func startOverlapCluster(t *testing.T, overlap bool) *overlapCluster {
	t.Helper()
	return startOverlapClusterWith(t, overlap, func(*Config) {})
}

// startOverlapClusterWith is startOverlapCluster with conf adjusting each
// node's config.
func startOverlapClusterWith(t *testing.T, overlap bool, conf func(*Config)) *overlapCluster {
	t.Helper()
	c := &overlapCluster{}
	c.rafts = startCluster3(t, func(i int, rc *Config) FSM {
		rc.ReplicateBeforeLocalWrite = overlap
		conf(rc)
		c.stores = append(c.stores, &gatedStore{InmemStore: NewInmemStore()})
		c.fsms = append(c.fsms, &MockFSM{})
		return c.fsms[i]
	}, func(i int) *gatedStore { return c.stores[i] })
	return c
}

// startCluster3 starts a 3-voter cluster on in-memory transports; setup
// adjusts node i's config and returns its FSM, store its log and stable store.
func startCluster3(t *testing.T, setup func(i int, rc *Config) FSM, store func(i int) *gatedStore) []*Raft {
	t.Helper()
	var trans []*InmemTransport
	var conf Configuration
	for i := 0; i < 3; i++ {
		addr, tr := NewInmemTransport(ServerAddress(fmt.Sprintf("n%d", i)))
		trans = append(trans, tr)
		conf.Servers = append(conf.Servers, Server{Suffrage: Voter, ID: ServerID(addr), Address: addr})
	}
	for _, a := range trans {
		for _, b := range trans {
			a.Connect(b.LocalAddr(), b)
		}
	}
	var rafts []*Raft
	t.Cleanup(func() {
		for _, r := range rafts {
			_ = r.Shutdown().Error()
		}
	})
	for i := 0; i < 3; i++ {
		rc := inmemConfig(t)
		rc.LocalID = conf.Servers[i].ID
		fsm := setup(i, rc)
		st := store(i)
		logs, err := NewLogCache(128, st)
		if err != nil {
			t.Fatal(err)
		}
		snaps := NewInmemSnapshotStore()
		if err := BootstrapCluster(rc, logs, st, snaps, trans[i], conf); err != nil {
			t.Fatal(err)
		}
		r, err := NewRaft(rc, fsm, logs, st, snaps, trans[i])
		if err != nil {
			t.Fatal(err)
		}
		rafts = append(rafts, r)
	}
	return rafts
}

// leader waits for a leader and returns its position.
func (c *overlapCluster) leader(t *testing.T) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for i, r := range c.rafts {
			if r.State() == Leader {
				return i
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no leader elected")
	return -1
}

func (c *overlapCluster) waitApplied(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		done := true
		for _, f := range c.fsms {
			f.Lock()
			n := len(f.logs)
			f.Unlock()
			done = done && n >= want
		}
		if done {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("not every replica applied %d commands", want)
}

// followersHold reports whether every follower of leader l stored index.
func (c *overlapCluster) followersHold(l int, index uint64) bool {
	for i, s := range c.stores {
		if i == l {
			continue
		}
		var got Log
		if err := s.GetLog(index, &got); err != nil {
			return false
		}
	}
	return true
}

// TestReplicateBeforeLocalWrite holds the leader's log write: the entry
// still reaches both followers' logs meanwhile (with the option off it
// only leaves after the write), and the Apply completes once the write does.
func TestReplicateBeforeLocalWrite(t *testing.T) {
	for _, overlap := range []bool{true, false} {
		t.Run(fmt.Sprintf("overlap=%v", overlap), func(t *testing.T) {
			c := startOverlapCluster(t, overlap)
			l := c.leader(t)
			if err := c.rafts[l].Apply([]byte("warm"), 5*time.Second).Error(); err != nil {
				t.Fatal(err)
			}
			index := c.rafts[l].LastIndex() + 1
			entered, release := c.stores[l].hold()
			f := c.rafts[l].Apply([]byte("x"), 10*time.Second)
			<-entered
			reached := false
			for deadline := time.Now().Add(time.Second); time.Now().Before(deadline) && !reached; time.Sleep(5 * time.Millisecond) {
				reached = c.followersHold(l, index)
			}
			release()
			if reached != overlap {
				t.Fatalf("entry %d reached the followers during the leader's write: %v, want %v", index, reached, overlap)
			}
			if err := f.Error(); err != nil {
				t.Fatal(err)
			}
			c.waitApplied(t, 2)
		})
	}
}

// TestReplicateBeforeLocalWriteFailure fails the leader's write after the
// entry may have reached the followers: the Apply reports the error (or
// succeeds when both followers committed it), the leader steps down, and
// the cluster goes on with consistent replicas.
func TestReplicateBeforeLocalWriteFailure(t *testing.T) {
	c := startOverlapCluster(t, true)
	l := c.leader(t)
	if err := c.rafts[l].Apply([]byte("a"), 5*time.Second).Error(); err != nil {
		t.Fatal(err)
	}
	c.stores[l].mu.Lock()
	c.stores[l].failNext = true
	c.stores[l].mu.Unlock()
	index := c.rafts[l].LastIndex() + 1
	// Both followers may store the entry before the leader's write fails,
	// which commits it (norikv_commit_test.go): then it succeeds, and it
	// must be on both followers; else the Apply reports the error.
	if err := c.rafts[l].Apply([]byte("b"), 5*time.Second).Error(); err == nil && !c.followersHold(l, index) {
		t.Fatal("the Apply whose local write failed reported no error, and the followers do not both hold its entry")
	}
	// Keep writing through whoever leads until a write succeeds.
	want := 0
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		nl := c.leader(t)
		if err := c.rafts[nl].Apply([]byte("c"), 2*time.Second).Error(); err == nil {
			want = 2
			break
		}
	}
	if want == 0 {
		t.Fatal("no write succeeded after the failed one")
	}
	c.waitApplied(t, want)
	// Every replica applied the same commands in the same order ("b" may
	// or may not be among them: a failed write is ambiguous).
	deadline = time.Now().Add(10 * time.Second)
	for {
		same := true
		var ref []string
		for i, f := range c.fsms {
			f.Lock()
			var got []string
			for _, b := range f.logs {
				got = append(got, string(b))
			}
			f.Unlock()
			if i == 0 {
				ref = got
			} else if fmt.Sprint(got) != fmt.Sprint(ref) {
				same = false
			}
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replicas applied different commands")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
