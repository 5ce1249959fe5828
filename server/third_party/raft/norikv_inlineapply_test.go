package raft

// Tests of the NoriKV patch (README.NORIKV.md): Config.LeaderAppliesInline.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"
)

// indexFSM records the index of every command it applied, and whether
// each ApplyBatch ran on the FSM goroutine (runFSM) or elsewhere.
type indexFSM struct {
	mu               sync.Mutex
	applied          []uint64
	onFSM, elsewhere int
}

func (f *indexFSM) ApplyBatch(logs []*Log) []interface{} {
	buf := make([]byte, 8192)
	onFSM := bytes.Contains(buf[:runtime.Stack(buf, false)], []byte("runFSM"))
	f.mu.Lock()
	defer f.mu.Unlock()
	if onFSM {
		f.onFSM++
	} else {
		f.elsewhere++
	}
	out := make([]interface{}, len(logs))
	for i, l := range logs {
		if l.Type == LogCommand {
			f.applied = append(f.applied, l.Index)
		}
		out[i] = l.Index
	}
	return out
}

func (f *indexFSM) Apply(l *Log) interface{} { return f.ApplyBatch([]*Log{l})[0] }

func (f *indexFSM) Snapshot() (FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return indexSnapshot(append([]uint64(nil), f.applied...)), nil
}

func (f *indexFSM) Restore(rc io.ReadCloser) error {
	b, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = f.applied[:0]
	for ; len(b) >= 8; b = b[8:] {
		f.applied = append(f.applied, binary.LittleEndian.Uint64(b))
	}
	return nil
}

func (f *indexFSM) counts() (n, onFSM, elsewhere int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.applied), f.onFSM, f.elsewhere
}

type indexSnapshot []uint64

func (s indexSnapshot) Persist(sink SnapshotSink) error {
	b := make([]byte, 0, 8*len(s))
	for _, i := range s {
		b = binary.LittleEndian.AppendUint64(b, i)
	}
	if _, err := sink.Write(b); err != nil {
		_ = sink.Cancel()
		return err
	}
	return sink.Close()
}

func (indexSnapshot) Release() {}

func startInlineCluster(t *testing.T, inline bool) ([]*Raft, []*indexFSM, int) {
	t.Helper()
	var fsms []*indexFSM
	rafts := startCluster3(t, func(i int, rc *Config) FSM {
		rc.ReplicateBeforeLocalWrite = true
		rc.LeaderAppliesInline = inline
		fsms = append(fsms, &indexFSM{})
		return fsms[i]
	}, func(int) *gatedStore { return &gatedStore{InmemStore: NewInmemStore()} })
	c := &overlapCluster{rafts: rafts}
	return rafts, fsms, c.leader(t)
}

// TestLeaderAppliesInline: with the option, a leader's commits are applied
// on the raft goroutine, not handed to runFSM, and answered as before;
// without it (and always on followers) every batch goes through runFSM.
func TestLeaderAppliesInline(t *testing.T) {
	for _, inline := range []bool{true, false} {
		rafts, fsms, l := startInlineCluster(t, inline)
		const n = 20
		for i := 0; i < n; i++ {
			f := rafts[l].Apply([]byte{byte(i)}, 5*time.Second)
			if err := f.Error(); err != nil {
				t.Fatal(err)
			}
			if got, want := f.Response(), f.Index(); got != want {
				t.Fatalf("inline=%v: response %v, want the entry's index %d", inline, got, want)
			}
		}
		got, onFSM, elsewhere := fsms[l].counts()
		if got != n {
			t.Fatalf("inline=%v: leader applied %d commands, want %d", inline, got, n)
		}
		inlined := rafts[l].fsmState.inlineBatches.Load()
		if inline && (elsewhere == 0 || inlined == 0) {
			t.Fatalf("inline on: %d batches on runFSM, %d elsewhere, %d counted inline: want the leader's batches applied inline", onFSM, elsewhere, inlined)
		}
		if !inline && (elsewhere != 0 || inlined != 0) {
			t.Fatalf("inline off: %d batches applied outside runFSM (%d counted inline)", elsewhere, inlined)
		}
		deadline := time.Now().Add(10 * time.Second)
		for i := range fsms {
			if i == l {
				continue
			}
			for {
				got, _, elsewhere := fsms[i].counts()
				if elsewhere != 0 {
					t.Fatalf("inline=%v: follower %d applied %d batches outside runFSM", inline, i, elsewhere)
				}
				if got == n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("inline=%v: follower %d applied %d of %d", inline, i, got, n)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
}

// TestInlineApplyKeepsSnapshotsExact: many concurrent writers on an
// inline-applying leader while user snapshots are taken: every snapshot
// holds exactly the commands up to its index (the FSM and runFSM's last
// index never disagree), every command is applied once and in index order.
func TestInlineApplyKeepsSnapshotsExact(t *testing.T) {
	rafts, fsms, l := startInlineCluster(t, true)
	r := rafts[l]
	var (
		mu      sync.Mutex
		indexes []uint64
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				f := r.Apply([]byte("x"), 10*time.Second)
				if err := f.Error(); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				indexes = append(indexes, f.Index())
				mu.Unlock()
			}
		}()
	}
	type snapCount struct {
		index uint64
		held  int
	}
	var snaps []snapCount
	snapDone := make(chan struct{})
	go func() {
		defer close(snapDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			f := r.Snapshot()
			if err := f.Error(); err != nil {
				if !errors.Is(err, ErrNothingNewToSnapshot) {
					t.Error(err)
					return
				}
				continue
			}
			// Read it at once: the in-memory store keeps only the latest.
			meta, rc, err := f.Open()
			if err != nil {
				t.Error(err)
				return
			}
			var got indexFSM
			err = got.Restore(rc)
			_ = rc.Close()
			if err != nil {
				t.Error(err)
				return
			}
			snaps = append(snaps, snapCount{meta.Index, len(got.applied)})
			time.Sleep(time.Millisecond)
		}
	}()
	wg.Wait()
	close(stop)
	<-snapDone
	if t.Failed() {
		return
	}
	applied, _, _ := fsms[l].counts()
	if applied != len(indexes) {
		t.Fatalf("leader applied %d commands, %d were acknowledged", applied, len(indexes))
	}
	fsms[l].mu.Lock()
	for i := 1; i < len(fsms[l].applied); i++ {
		if fsms[l].applied[i] <= fsms[l].applied[i-1] {
			fsms[l].mu.Unlock()
			t.Fatalf("applied out of order: index %d after %d", fsms[l].applied[i], fsms[l].applied[i-1])
		}
	}
	fsms[l].mu.Unlock()
	if len(snaps) == 0 {
		t.Fatal("no snapshot was taken during the writes")
	}
	for _, sc := range snaps {
		want := 0
		for _, i := range indexes {
			if i <= sc.index {
				want++
			}
		}
		if sc.held != want {
			t.Fatalf("snapshot at index %d holds %d commands, %d commands were at or below it", sc.index, sc.held, want)
		}
	}
	if r.fsmState.inlineBatches.Load() == 0 {
		t.Fatal("no batch was applied inline")
	}
	t.Logf("%d commands, %d snapshots, %d batches inline", len(indexes), len(snaps), r.fsmState.inlineBatches.Load())
}
