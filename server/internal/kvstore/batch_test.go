package kvstore

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/hashicorp/raft"
)

// batchLogs is a log of every kind of entry the FSM meets: puts, CAS hits
// and misses, deletes, idempotent replays and conflicts, claims, expiry,
// an undecodable command and a configuration entry (not a command).
func batchLogs() []*raft.Log {
	cmds := []*Command{
		{Type: CmdPut, NowMs: 1, Key: []byte("a"), Value: []byte("1"), IdemKey: "i1"},
		{Type: CmdPut, NowMs: 1, Key: []byte("b"), Value: []byte("2"), ExpiresAtMs: 5},
		{Type: CmdPut, NowMs: 2, Key: []byte("a"), Value: []byte("x"), IfMatch: &Version{1, 9}},
		{Type: CmdPut, NowMs: 2, Key: []byte("a"), Value: []byte("3"), IfMatch: &Version{1, 1}},
		{Type: CmdPut, NowMs: 2, Key: []byte("a"), Value: []byte("1"), IdemKey: "i1"},
		{Type: CmdDelete, NowMs: 3, Key: []byte("a"), IdemKey: "i1"},
		{Type: CmdIdemClaim, NowMs: 3, Key: []byte("c"), IdemKey: "i2", Value: []byte{byte(CmdPut)}},
		{Type: CmdPut, NowMs: 3, Key: []byte("d"), Value: []byte("4"), IdemKey: "i2"},
		{Type: CmdExpire, NowMs: 9, Expired: []ExpireEntry{{Key: []byte("b"), Version: Version{1, 2}}}},
		{Type: CmdDelete, NowMs: 9, Key: []byte("a")},
		{Type: CmdPut, NowMs: 9, Key: []byte(""), Value: nil},
	}
	var logs []*raft.Log
	for _, c := range cmds {
		logs = append(logs, &raft.Log{Type: raft.LogCommand, Data: c.Encode()})
	}
	logs = append(logs[:5], append([]*raft.Log{
		{Type: raft.LogCommand, Data: []byte{byte(CmdPut), 0xff}},
		{Type: raft.LogConfiguration, Data: []byte("not a command")},
	}, logs[5:]...)...)
	for i, l := range logs {
		l.Term, l.Index = 1, uint64(i+1)
	}
	return logs
}

// TestApplyBatchMatchesApply applies the same log one entry at a time and
// in batches of every size: results and the final state must be the same,
// so replicas agree whatever batches Raft hands them.
func TestApplyBatchMatchesApply(t *testing.T) {
	logs := batchLogs()
	one := New(Options{TotalShards: 1024})
	var want []any
	for _, l := range logs {
		if l.Type != raft.LogCommand {
			want = append(want, nil) // Raft never hands these to Apply
			continue
		}
		want = append(want, one.Apply(l))
	}
	wantState := snapshotBytes(t, one)
	for size := 1; size <= len(logs); size++ {
		f := New(Options{TotalShards: 1024})
		var got []any
		for i := 0; i < len(logs); i += size {
			batch := logs[i:min(i+size, len(logs))]
			res := f.ApplyBatch(batch)
			if len(res) != len(batch) {
				t.Fatalf("batch size %d: %d results for %d entries", size, len(res), len(batch))
			}
			got = append(got, res...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("batch size %d: results\n%s\nwant\n%s", size, fmt.Sprint(got...), fmt.Sprint(want...))
		}
		if st := snapshotBytes(t, f); !bytes.Equal(st, wantState) {
			t.Fatalf("batch size %d: state differs from one-at-a-time apply", size)
		}
	}
}

func snapshotBytes(t *testing.T, f *FSM) []byte {
	t.Helper()
	s, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var sink memSink
	if err := s.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	return sink.Bytes()
}

// BenchmarkApply measures applying idempotent 100-byte Puts as Raft hands
// them over under load: one at a time and in batches of 4 and 16.
func BenchmarkApply(b *testing.B) {
	for _, size := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			f := New(Options{TotalShards: 1024})
			value := make([]byte, 100)
			all := make([]*raft.Log, b.N+size)
			for n := range all {
				c := Command{Type: CmdPut, NowMs: int64(n / 1000), Key: []byte(fmt.Sprintf("key-%07d", n%100000)),
					Value: value, IdemKey: fmt.Sprintf("nkc-0123456789abcdef-%d", n)}
				all[n] = &raft.Log{Type: raft.LogCommand, Term: 1, Index: uint64(n + 1), Data: c.Encode()}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += size {
				if size == 1 {
					f.Apply(all[i])
				} else {
					f.ApplyBatch(all[i : i+size])
				}
			}
		})
	}
}

// TestUnconditionalWritesOverExpiredKeys covers the one-walk Put and
// Delete (no if_match): a Delete of a key that expired but is not yet
// removed is no tombstone, a live one is, and a Put replacing a TTL item
// leaves no stale expiry entry behind.
func TestUnconditionalWritesOverExpiredKeys(t *testing.T) {
	a := &applier{f: New(Options{TotalShards: 1024})}
	a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("gone"), Value: []byte("v"), ExpiresAtMs: 10})
	a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("live"), Value: []byte("v"), ExpiresAtMs: 1000})
	if r := a.apply(&Command{Type: CmdDelete, NowMs: 20, Key: []byte("gone")}); r.Tombstoned || r.Outcome != OK {
		t.Fatalf("delete of an expired key: %+v", r)
	}
	if r := a.apply(&Command{Type: CmdDelete, NowMs: 20, Key: []byte("live")}); !r.Tombstoned {
		t.Fatalf("delete of a live key: %+v", r)
	}
	a.apply(&Command{Type: CmdPut, NowMs: 20, Key: []byte("k"), Value: []byte("1"), ExpiresAtMs: 30})
	if r := a.apply(&Command{Type: CmdPut, NowMs: 21, Key: []byte("k"), Value: []byte("2")}); r.ExpiresAtMs != 0 || r.Outcome != OK {
		t.Fatalf("put without ttl: %+v", r)
	}
	if exp := a.f.Expired(100, 10); len(exp) != 0 {
		t.Fatalf("expiry index still lists %d keys: %+v", len(exp), exp)
	}
	if it, ok := a.f.Get([]byte("k"), 100); !ok || string(it.Value) != "2" {
		t.Fatalf("get after replace: %+v %v", it, ok)
	}
	if n := a.f.Len(); n != 1 {
		t.Fatalf("%d items stored, want 1", n)
	}
}
