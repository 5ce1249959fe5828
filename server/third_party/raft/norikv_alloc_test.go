package raft

// Tests of the NoriKV allocation patches (README.NORIKV.md): AppendEntries
// requests sized to their entries, and the per-Put go-metrics calls off
// with Config.NoHotPathMetrics.

import (
	"strings"
	"testing"
	"time"

	metrics "github.com/hashicorp/go-metrics/compat"
)

// TestSetNewLogsSizedToEntries: a request for 3 entries holds a slice of 3
// (not MaxAppendEntries) filled from one block: 2 allocations, not 1 + 3.
func TestSetNewLogsSizedToEntries(t *testing.T) {
	store := NewInmemStore()
	for i := uint64(1); i <= 5; i++ {
		if err := store.StoreLog(&Log{Index: i, Term: 1, Data: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	r := &Raft{logs: store}
	r.conf.Store(*DefaultConfig())
	var req AppendEntriesRequest
	if err := r.setNewLogs(&req, 2, 4); err != nil {
		t.Fatal(err)
	}
	if len(req.Entries) != 3 || cap(req.Entries) != 3 {
		t.Fatalf("entries len %d cap %d, want 3 and 3", len(req.Entries), cap(req.Entries))
	}
	for i, l := range req.Entries {
		if l.Index != uint64(i+2) || l.Data[0] != byte(i+2) {
			t.Fatalf("entry %d is %d (data %v), want %d", i, l.Index, l.Data, i+2)
		}
	}
	// Nothing to send is an empty, non-nil slice, as before.
	if err := r.setNewLogs(&req, 6, 5); err != nil || req.Entries == nil || len(req.Entries) != 0 {
		t.Fatalf("past the last index: entries %v, err %v", req.Entries, err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		var req AppendEntriesRequest
		_ = r.setNewLogs(&req, 2, 4)
	})
	if allocs > 2 {
		t.Fatalf("setNewLogs of 3 entries made %.0f allocations, want 2 (the slice and one block)", allocs)
	}
}

// appliedMetrics runs 5 Applies on a single-node group with
// NoHotPathMetrics set as given and returns the names of the go-metrics
// samples and counters recorded meanwhile.
func appliedMetrics(t *testing.T, noHot bool) string {
	t.Helper()
	sink := metrics.NewInmemSink(time.Hour, time.Hour)
	cfg := metrics.DefaultConfig("")
	cfg.EnableHostname = false
	cfg.EnableRuntimeMetrics = false
	if _, err := metrics.NewGlobal(cfg, sink); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = metrics.NewGlobal(cfg, &metrics.BlackholeSink{}) }()

	addr, tr := NewInmemTransport("")
	rc := inmemConfig(t)
	rc.LocalID = ServerID(addr)
	rc.NoHotPathMetrics = noHot
	store := NewInmemStore()
	conf := Configuration{Servers: []Server{{Suffrage: Voter, ID: rc.LocalID, Address: addr}}}
	if err := BootstrapCluster(rc, store, store, NewInmemSnapshotStore(), tr, conf); err != nil {
		t.Fatal(err)
	}
	r, err := NewRaft(rc, &MockFSM{}, store, store, NewInmemSnapshotStore(), tr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Shutdown().Error() }()
	deadline := time.Now().Add(10 * time.Second)
	for r.State() != Leader {
		if time.Now().After(deadline) {
			t.Fatal("no leader elected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for i := 0; i < 5; i++ {
		if err := r.Apply([]byte("x"), 5*time.Second).Error(); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, iv := range sink.Data() {
		iv.RLock()
		for k := range iv.Counters {
			names = append(names, k)
		}
		for k := range iv.Samples {
			names = append(names, k)
		}
		iv.RUnlock()
	}
	return strings.Join(names, " ")
}

func TestNoHotPathMetrics(t *testing.T) {
	hot := []string{"raft.apply", "raft.commitTime", "raft.fsm.apply"}
	on := appliedMetrics(t, false)
	for _, m := range hot {
		if !strings.Contains(on, m) {
			t.Fatalf("with hot-path metrics on, %s was not recorded (got %s)", m, on)
		}
	}
	off := appliedMetrics(t, true)
	for _, m := range hot {
		if strings.Contains(off, m) {
			t.Fatalf("with NoHotPathMetrics, %s was still recorded (got %s)", m, off)
		}
	}
}
