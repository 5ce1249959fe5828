package raftlog

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func openTest(t testing.TB, dir string, fsync bool) *DB {
	t.Helper()
	db, err := Open(dir, Options{Fsync: fsync})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustStore(t testing.TB, db *DB, name string) *Store {
	t.Helper()
	s, err := db.Store(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func entry(i, term uint64, data string) *raft.Log {
	return &raft.Log{Index: i, Term: term, Type: raft.LogCommand, Data: []byte(data),
		Extensions: []byte("x" + data), AppendedAt: time.Unix(1700000000, int64(i))}
}

func checkBounds(t *testing.T, s *Store, first, last uint64) {
	t.Helper()
	f, err := s.FirstIndex()
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.LastIndex()
	if err != nil {
		t.Fatal(err)
	}
	if f != first || l != last {
		t.Fatalf("%s: first/last = %d/%d, want %d/%d", s.name, f, l, first, last)
	}
}

func TestLogStoreContract(t *testing.T) {
	db := openTest(t, t.TempDir(), false)
	defer db.Close()
	s := mustStore(t, db, "g1")
	checkBounds(t, s, 0, 0)
	var out raft.Log
	if err := s.GetLog(1, &out); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("GetLog on empty store: %v, want raft.ErrLogNotFound", err)
	}
	if err := s.StoreLog(entry(1, 1, "one")); err != nil {
		t.Fatal(err)
	}
	var batch []*raft.Log
	for i := uint64(2); i <= 10; i++ {
		batch = append(batch, entry(i, 2, fmt.Sprint("v", i)))
	}
	if err := s.StoreLogs(batch); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, 1, 10)
	for i := uint64(1); i <= 10; i++ {
		if err := s.GetLog(i, &out); err != nil {
			t.Fatalf("GetLog(%d): %v", i, err)
		}
		want := entry(i, 2, fmt.Sprint("v", i))
		if i == 1 {
			want = entry(1, 1, "one")
		}
		if out.Index != want.Index || out.Term != want.Term || out.Type != want.Type ||
			!bytes.Equal(out.Data, want.Data) || !bytes.Equal(out.Extensions, want.Extensions) || !out.AppendedAt.Equal(want.AppendedAt) {
			t.Fatalf("GetLog(%d) = %+v, want %+v", i, out, *want)
		}
	}
	// Raft compacts the head and truncates conflicting tails.
	if err := s.DeleteRange(1, 4); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, 5, 10)
	if err := s.GetLog(4, &out); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("GetLog(4) after delete: %v, want raft.ErrLogNotFound", err)
	}
	if err := s.DeleteRange(8, 10); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, 5, 7)
	if err := s.DeleteRange(5, 7); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, s, 0, 0)
	// An entry without data or extensions comes back as nil slices.
	if err := s.StoreLog(&raft.Log{Index: 11, Term: 3, Type: raft.LogNoop}); err != nil {
		t.Fatal(err)
	}
	if err := s.GetLog(11, &out); err != nil || out.Data != nil || out.Type != raft.LogNoop || !out.AppendedAt.IsZero() {
		t.Fatalf("GetLog(11) = %+v, %v", out, err)
	}
}

func TestStableStoreContract(t *testing.T) {
	db := openTest(t, t.TempDir(), false)
	defer db.Close()
	s := mustStore(t, db, "meta")
	// hashicorp/raft tells a fresh store from a broken one by this text.
	if _, err := s.GetUint64([]byte("CurrentTerm")); err == nil || err.Error() != "not found" {
		t.Fatalf("GetUint64 of a missing key: %v, want \"not found\"", err)
	}
	if _, err := s.Get([]byte("LastVoteCand")); err == nil || err.Error() != "not found" {
		t.Fatalf("Get of a missing key: %v, want \"not found\"", err)
	}
	if err := s.SetUint64([]byte("CurrentTerm"), 42); err != nil {
		t.Fatal(err)
	}
	if err := s.Set([]byte("LastVoteCand"), []byte("n2")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetUint64([]byte("CurrentTerm")); err != nil || v != 42 {
		t.Fatalf("GetUint64 = %d, %v; want 42", v, err)
	}
	if v, err := s.Get([]byte("LastVoteCand")); err != nil || string(v) != "n2" {
		t.Fatalf("Get = %q, %v; want n2", v, err)
	}
	if _, err := s.GetUint64([]byte("LastVoteCand")); err == nil {
		t.Fatal("GetUint64 of a 2-byte value succeeded")
	}
}

// TestGroupsAreIsolated checks that groups whose names prefix each other
// ("g1", "g10") share no entries, bounds, deletions or stable keys.
func TestGroupsAreIsolated(t *testing.T) {
	db := openTest(t, t.TempDir(), false)
	defer db.Close()
	names := []string{"g1", "g10", "g", "meta"}
	stores := map[string]*Store{}
	for n, name := range names {
		s := mustStore(t, db, name)
		stores[name] = s
		base := uint64(100 * (n + 1))
		var batch []*raft.Log
		for i := base; i < base+10; i++ {
			batch = append(batch, entry(i, 1, name))
		}
		if err := s.StoreLogs(batch); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUint64([]byte("CurrentTerm"), base); err != nil {
			t.Fatal(err)
		}
	}
	if err := stores["g1"].DeleteRange(0, 1<<62); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, stores["g1"], 0, 0)
	for n, name := range names[1:] {
		base := uint64(100 * (n + 2))
		checkBounds(t, stores[name], base, base+9)
		var out raft.Log
		if err := stores[name].GetLog(base, &out); err != nil || string(out.Data) != name {
			t.Fatalf("%s entry %d = %q, %v", name, base, out.Data, err)
		}
		if v, err := stores[name].GetUint64([]byte("CurrentTerm")); err != nil || v != base {
			t.Fatalf("%s CurrentTerm = %d, %v; want %d", name, v, err, base)
		}
	}
	if _, err := db.Store(""); err == nil {
		t.Fatal("empty group name accepted")
	}
}

func TestReopenKeepsState(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprint("fsync=", fsync), func(t *testing.T) {
			dir := t.TempDir()
			db := openTest(t, dir, fsync)
			s := mustStore(t, db, "g3")
			if err := s.StoreLogs([]*raft.Log{entry(7, 1, "a"), entry(8, 1, "b")}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetUint64([]byte("CurrentTerm"), 5); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// A store kept past Close errors instead of panicking.
			if err := s.StoreLog(entry(9, 1, "c")); !errors.Is(err, ErrClosed) {
				t.Fatalf("StoreLog after Close: %v, want ErrClosed", err)
			}
			if _, err := s.LastIndex(); !errors.Is(err, ErrClosed) {
				t.Fatalf("LastIndex after Close: %v, want ErrClosed", err)
			}
			db = openTest(t, dir, fsync)
			defer db.Close()
			s = mustStore(t, db, "g3")
			checkBounds(t, s, 7, 8)
			if v, err := s.GetUint64([]byte("CurrentTerm")); err != nil || v != 5 {
				t.Fatalf("CurrentTerm after reopen = %d, %v", v, err)
			}
		})
	}
}

// TestRaftOnSharedStore runs three single-node Raft groups on one DB and
// checks that they elect themselves, apply commands and recover them after
// a restart: the store is what hashicorp/raft expects end to end.
func TestRaftOnSharedStore(t *testing.T) {
	dir := t.TempDir()
	run := func(want int) {
		db := openTest(t, dir, true)
		defer db.Close()
		var rafts []*raft.Raft
		var fsms []*countFSM
		for g := 0; g < 3; g++ {
			s := mustStore(t, db, fmt.Sprint("g", g))
			conf := raft.DefaultConfig()
			conf.LocalID = "n1"
			conf.HeartbeatTimeout, conf.ElectionTimeout = 50*time.Millisecond, 50*time.Millisecond
			conf.LeaderLeaseTimeout, conf.CommitTimeout = 50*time.Millisecond, 5*time.Millisecond
			conf.LogLevel = "off"
			addr, tr := raft.NewInmemTransport("")
			fsm := &countFSM{}
			r, err := raft.NewRaft(conf, fsm, s, s, raft.NewInmemSnapshotStore(), tr)
			if err != nil {
				t.Fatal(err)
			}
			if want == 0 {
				if err := r.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{ID: "n1", Address: addr}}}).Error(); err != nil {
					t.Fatal(err)
				}
			}
			rafts, fsms = append(rafts, r), append(fsms, fsm)
		}
		for g, r := range rafts {
			deadline := time.Now().Add(20 * time.Second)
			for r.State() != raft.Leader {
				if time.Now().After(deadline) {
					t.Fatalf("group %d elected no leader", g)
				}
				time.Sleep(10 * time.Millisecond)
			}
			// Entries of the earlier run are re-applied from the log.
			if err := r.Barrier(10 * time.Second).Error(); err != nil {
				t.Fatal(err)
			}
			if got := fsms[g].count(); got != want {
				t.Fatalf("group %d applied %d commands after restart, want %d", g, got, want)
			}
			for i := 0; i < 5; i++ {
				if err := r.Apply([]byte("x"), 10*time.Second).Error(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, r := range rafts {
			if err := r.Shutdown().Error(); err != nil {
				t.Fatal(err)
			}
		}
	}
	run(0)
	run(5)
}
