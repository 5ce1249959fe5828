package raftlog

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"
)

// benchGroups is a node's groups: 16 replication groups plus the metadata group.
const benchGroups = 17

// appendAll runs one appender per group for d, each storing one synced
// 100 B entry at a time (a Raft leader's append under load), and returns
// the total rate in appends per second.
func appendAll(b *testing.B, stores []raft.LogStore, next []uint64, d time.Duration) float64 {
	var total atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for g, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &raft.Log{Term: 1, Type: raft.LogCommand, Data: make([]byte, 100)}
			n := int64(0)
			for time.Now().Before(deadline) {
				next[g]++
				l.Index = next[g]
				if err := s.StoreLogs([]*raft.Log{l}); err != nil {
					b.Error(err)
					return
				}
				n++
			}
			total.Add(n)
		}()
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}

func openBenchStores(b *testing.B) (pebbleStores, boltStores []raft.LogStore, closeAll func()) {
	db := openTest(b, b.TempDir(), true)
	var bolts []*raftboltdb.BoltStore
	dir := b.TempDir()
	for g := 0; g < benchGroups; g++ {
		pebbleStores = append(pebbleStores, mustStore(b, db, fmt.Sprint("g", g)))
		// Configured as the node configured its bolt logs.
		bs, err := raftboltdb.New(raftboltdb.Options{
			Path:        filepath.Join(dir, fmt.Sprintf("g%d.db", g)),
			BoltOptions: &bbolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bbolt.FreelistMapType},
		})
		if err != nil {
			b.Fatal(err)
		}
		bolts = append(bolts, bs)
		boltStores = append(boltStores, bs)
	}
	return pebbleStores, boltStores, func() {
		for _, bs := range bolts {
			_ = bs.Close()
		}
		_ = db.Close()
	}
}

// BenchmarkSyncedAppendRatio compares synced appends of 17 groups at once
// on the shared Pebble store and on one bbolt file per group. Each
// iteration is one round of 1 s on each, in alternating order (A,B then
// B,A); run it with -benchtime=4x or more for min and median ratios:
//
//	go test -run '^$' -bench SyncedAppendRatio -benchtime 4x ./server/internal/raftlog/
func BenchmarkSyncedAppendRatio(b *testing.B) {
	pebbleStores, boltStores, closeAll := openBenchStores(b)
	defer closeAll()
	nextP, nextB := make([]uint64, benchGroups), make([]uint64, benchGroups)
	var ratios, prates, brates []float64
	round := 0
	for b.Loop() {
		var p, o float64
		if round%2 == 0 {
			p = appendAll(b, pebbleStores, nextP, time.Second)
			o = appendAll(b, boltStores, nextB, time.Second)
		} else {
			o = appendAll(b, boltStores, nextB, time.Second)
			p = appendAll(b, pebbleStores, nextP, time.Second)
		}
		round++
		prates, brates, ratios = append(prates, p), append(brates, o), append(ratios, p/o)
	}
	b.ReportMetric(median(prates), "pebble-appends/s")
	b.ReportMetric(median(brates), "bolt-appends/s")
	b.ReportMetric(slices.Min(ratios), "min-ratio")
	b.ReportMetric(median(ratios), "median-ratio")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// BenchmarkStoreLog measures one group appending one 100-byte entry at a
// time without fsync: the store's own CPU and allocations per append.
func BenchmarkStoreLog(b *testing.B) {
	db := openTest(b, b.TempDir(), false)
	defer db.Close()
	s := mustStore(b, db, "g0")
	l := &raft.Log{Term: 1, Type: raft.LogCommand, Data: make([]byte, 100)}
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		i++
		l.Index = i
		if err := s.StoreLogs([]*raft.Log{l}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetLog measures reading back one 100-byte entry.
func BenchmarkGetLog(b *testing.B) {
	db := openTest(b, b.TempDir(), false)
	defer db.Close()
	s := mustStore(b, db, "g0")
	var batch []*raft.Log
	for i := uint64(1); i <= 1000; i++ {
		batch = append(batch, &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: make([]byte, 100)})
	}
	if err := s.StoreLogs(batch); err != nil {
		b.Fatal(err)
	}
	var out raft.Log
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		if err := s.GetLog(1+i%1000, &out); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
