package kvstore

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

type applier struct {
	f     *FSM
	index uint64
}

func (a *applier) apply(c *Command) Result {
	a.index++
	return a.f.Apply(&raft.Log{Term: 1, Index: a.index, Type: raft.LogCommand, Data: c.Encode()}).(Result)
}

func TestApplyPutCasDeleteIdempotency(t *testing.T) {
	a := &applier{f: New(Options{TotalShards: 1024})}
	r := a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("k"), Value: []byte("v1"), IdemKey: "i1"})
	if r.Outcome != OK || r.Version != (Version{1, 1}) {
		t.Fatalf("put: %+v", r)
	}
	it, ok := a.f.Get([]byte("k"), 1)
	if !ok || string(it.Value) != "v1" || it.Version != r.Version || it.Shard != shardOf([]byte("k"), 1024) {
		t.Fatalf("get: %+v", it)
	}
	if r := a.apply(&Command{Type: CmdPut, NowMs: 2, Key: []byte("k"), Value: []byte("x"), IfMatch: &Version{9, 9}}); r.Outcome != VersionMismatch ||
		r.Message != "version mismatch: expected term=9 index=9, current term=1 index=1" {
		t.Fatalf("cas mismatch: %+v", r)
	}
	if r := a.apply(&Command{Type: CmdPut, NowMs: 2, Key: []byte("nope"), IfMatch: &Version{1, 1}}); r.Outcome != KeyMissing || r.Message != "key does not exist" {
		t.Fatalf("cas missing: %+v", r)
	}
	replay := a.apply(&Command{Type: CmdPut, NowMs: 3, Key: []byte("k"), Value: []byte("v1"), IdemKey: "i1"})
	if !replay.Replayed || replay.Version != (Version{1, 1}) {
		t.Fatalf("replay: %+v", replay)
	}
	if r := a.apply(&Command{Type: CmdDelete, NowMs: 3, Key: []byte("k"), IdemKey: "i1"}); r.Outcome != IdemConflict {
		t.Fatalf("reuse for delete: %+v", r)
	}
	if r := a.apply(&Command{Type: CmdDelete, NowMs: 4, Key: []byte("k")}); !r.Tombstoned || r.Outcome != OK {
		t.Fatalf("delete: %+v", r)
	}
	if r := a.apply(&Command{Type: CmdDelete, NowMs: 4, Key: []byte("k")}); r.Tombstoned {
		t.Fatalf("second delete: %+v", r)
	}
	// The idempotency record expires after the retention period (command clock).
	later := int64(DefaultIdemRetention/time.Millisecond) + 10
	if r := a.apply(&Command{Type: CmdPut, NowMs: later, Key: []byte("k"), Value: []byte("v2"), IdemKey: "i1"}); r.Replayed || r.Outcome != OK {
		t.Fatalf("put after retention: %+v", r)
	}
}

func TestIdempotencyCountBound(t *testing.T) {
	a := &applier{f: New(Options{IdemMax: 10})}
	for i := 0; i < 25; i++ {
		a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("k"), IdemKey: fmt.Sprint(i)})
	}
	if n := len(a.f.idem.byKey); n > 11 {
		t.Fatalf("%d idempotency records kept, bound is 10", n)
	}
	if r := a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("k"), IdemKey: "24"}); !r.Replayed {
		t.Fatal("newest record was dropped")
	}
}

func TestExpiry(t *testing.T) {
	a := &applier{f: New(Options{})}
	a.apply(&Command{Type: CmdPut, NowMs: 100, Key: []byte("t"), Value: []byte("v"), ExpiresAtMs: 200})
	a.apply(&Command{Type: CmdPut, NowMs: 100, Key: []byte("p"), Value: []byte("v")})
	if _, ok := a.f.Get([]byte("t"), 199); !ok {
		t.Fatal("expired early")
	}
	if _, ok := a.f.Get([]byte("t"), 200); ok {
		t.Fatal("served an expired value")
	}
	exp := a.f.Expired(250, 10)
	if len(exp) != 1 || string(exp[0].Key) != "t" {
		t.Fatalf("expired list %+v", exp)
	}
	a.apply(&Command{Type: CmdExpire, NowMs: 250, Expired: exp})
	if a.f.Len() != 1 || a.f.ExpiredDeletes() != 1 {
		t.Fatalf("after expire: %d items, %d expired deletes", a.f.Len(), a.f.ExpiredDeletes())
	}
	// A key rewritten after the leader listed it survives the expire command.
	a.apply(&Command{Type: CmdPut, NowMs: 300, Key: []byte("t"), Value: []byte("v"), ExpiresAtMs: 400})
	stale := a.f.Expired(500, 10)
	a.apply(&Command{Type: CmdPut, NowMs: 300, Key: []byte("t"), Value: []byte("new")})
	a.apply(&Command{Type: CmdExpire, NowMs: 500, Expired: stale})
	if it, ok := a.f.Get([]byte("t"), 500); !ok || string(it.Value) != "new" {
		t.Fatal("expire command deleted a rewritten key")
	}
}

type memSink struct {
	bytes.Buffer
	cancelled bool
}

func (s *memSink) ID() string    { return "mem" }
func (s *memSink) Cancel() error { s.cancelled = true; return nil }
func (s *memSink) Close() error  { return nil }

func TestSnapshotRoundTrip(t *testing.T) {
	a := &applier{f: New(Options{TotalShards: 16})}
	for i := 0; i < 500; i++ {
		a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte(fmt.Sprintf("k%03d", i)), Value: bytes.Repeat([]byte{byte(i)}, i), ExpiresAtMs: int64(i % 3 * 1000), IdemKey: fmt.Sprint("id", i)})
	}
	snap, err := a.f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	a.apply(&Command{Type: CmdDelete, NowMs: 2, Key: []byte("k000")}) // after the snapshot
	var sink memSink
	if err := snap.Persist(&sink); err != nil {
		t.Fatal(err)
	}
	b := New(Options{TotalShards: 16})
	if err := b.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 500 {
		t.Fatalf("restored %d items", b.Len())
	}
	got, _ := b.Scan(ScanOptions{Limit: 1000, NowMs: 0})
	want, _ := a.f.Scan(ScanOptions{Limit: 1000, NowMs: 0})
	if len(got) != len(want)+1 {
		t.Fatalf("restored %d live items, original has %d (+1 deleted after the snapshot)", len(got), len(want))
	}
	for _, it := range got[1:] {
		orig, _ := a.f.Get(it.Key, 0)
		if !bytes.Equal(orig.Value, it.Value) || orig.Version != it.Version || orig.ExpiresAtMs != it.ExpiresAtMs || orig.Shard != it.Shard {
			t.Fatalf("restored %+v, original %+v", it, orig)
		}
	}
	replay := (&applier{f: b, index: 1000}).apply(&Command{Type: CmdPut, NowMs: 3, Key: []byte("k007"), IdemKey: "id7"})
	if !replay.Replayed || replay.Version != (Version{1, 8}) {
		t.Fatalf("idempotency record not restored: %+v", replay)
	}
	if err := New(Options{}).Restore(io.NopCloser(bytes.NewReader(sink.Bytes()[:100]))); err == nil {
		t.Fatal("restore of a truncated snapshot succeeded")
	}
}

func TestScanOrderPrefixCursor(t *testing.T) {
	a := &applier{f: New(Options{})}
	for _, k := range []string{"b/2", "a/1", "b/1", "b/3", "c", "b/0"} {
		a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte(k), Value: []byte("v")})
	}
	a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte("b/15"), Value: []byte("v"), ExpiresAtMs: 5})
	got, more := a.f.Scan(ScanOptions{Prefix: []byte("b/"), Limit: 2, NowMs: 10})
	if len(got) != 2 || string(got[0].Key) != "b/0" || string(got[1].Key) != "b/1" || !more {
		t.Fatalf("first page %v more=%v", keys(got), more)
	}
	got, more = a.f.Scan(ScanOptions{Prefix: []byte("b/"), StartAfter: []byte("b/1"), Limit: 2, NowMs: 10})
	if len(got) != 2 || string(got[0].Key) != "b/2" || string(got[1].Key) != "b/3" || more {
		t.Fatalf("second page %v more=%v", keys(got), more)
	}
}

func keys(items []*Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, string(it.Key))
	}
	return out
}

func FuzzApplyNeverPanics(f *testing.F) {
	f.Add((&Command{Type: CmdPut, Key: []byte("k"), Value: []byte("v"), IfMatch: &Version{1, 2}}).Encode())
	f.Add((&Command{Type: CmdExpire, Expired: []ExpireEntry{{Key: []byte("k")}}}).Encode())
	f.Add([]byte{2, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		fsm := New(Options{TotalShards: 8})
		_ = fsm.Apply(&raft.Log{Term: 1, Index: 1, Data: data})
		c, err := DecodeCommand(data)
		if err == nil {
			back, err := DecodeCommand(c.Encode())
			if err != nil || back.Type != c.Type || !bytes.Equal(back.Key, c.Key) || !bytes.Equal(back.Value, c.Value) {
				t.Fatalf("re-encoding changed the command: %+v vs %+v (%v)", back, c, err)
			}
		}
	})
}
