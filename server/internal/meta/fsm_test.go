package meta

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/hashicorp/raft"
)

type sink struct{ bytes.Buffer }

func (s *sink) ID() string    { return "mem" }
func (s *sink) Cancel() error { return nil }
func (s *sink) Close() error  { return nil }

func apply(t *testing.T, f *FSM, index uint64, c Command) {
	t.Helper()
	b, _ := json.Marshal(c)
	if err, _ := f.Apply(&raft.Log{Index: index, Data: b}).(error); err != nil {
		t.Fatal(err)
	}
}

func TestEpochIsTopologyRecordIndex(t *testing.T) {
	f := NewFSM()
	st, changed := f.State()
	if st.Epoch != 0 {
		t.Fatalf("initial epoch %d", st.Epoch)
	}
	top := Topology{Health: map[string]string{"n1": Alive}, Leaders: map[int]string{0: "n1"}}
	apply(t, f, 7, Command{Topology: &top})
	select {
	case <-changed:
	default:
		t.Fatal("watchers not woken by a topology record")
	}
	st, changed = f.State()
	if st.Epoch != 7 || !st.Topology.Equal(top) {
		t.Fatalf("state %+v", st)
	}
	apply(t, f, 8, Command{Prefer: &Prefer{Group: 0, Node: "n2"}})
	select {
	case <-changed:
		t.Fatal("a preference record changed the epoch")
	default:
	}
	st, _ = f.State()
	if st.Epoch != 7 || st.Preferred[0] != "n2" {
		t.Fatalf("after prefer: %+v", st)
	}
	if err, _ := f.Apply(&raft.Log{Index: 9, Data: []byte("{not json")}).(error); err == nil {
		t.Fatal("garbage record applied without error")
	}

	snap, _ := f.Snapshot()
	var s sink
	if err := snap.Persist(&s); err != nil {
		t.Fatal(err)
	}
	g := NewFSM()
	if err := g.Restore(io.NopCloser(&s)); err != nil {
		t.Fatal(err)
	}
	got, _ := g.State()
	if got.Epoch != 7 || !got.Topology.Equal(top) || got.Preferred[0] != "n2" {
		t.Fatalf("restored %+v", got)
	}
}

func TestClusterIDIsSetOnceAndSnapshotted(t *testing.T) {
	f := NewFSM()
	_, changed := f.State()
	apply(t, f, 3, Command{ClusterID: "first"})
	select {
	case <-changed:
	default:
		t.Fatal("watchers not woken by the cluster id")
	}
	apply(t, f, 4, Command{ClusterID: "second"})
	if st, _ := f.State(); st.ClusterID != "first" || st.Epoch != 0 {
		t.Fatalf("cluster id %q epoch %d, want the first id and no epoch change", st.ClusterID, st.Epoch)
	}
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var s sink
	if err := snap.Persist(&s); err != nil {
		t.Fatal(err)
	}
	g := NewFSM()
	if err := g.Restore(io.NopCloser(&s.Buffer)); err != nil {
		t.Fatal(err)
	}
	if st, _ := g.State(); st.ClusterID != "first" {
		t.Fatalf("restored cluster id %q", st.ClusterID)
	}
}
