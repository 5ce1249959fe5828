package kvstore

import (
	"fmt"
	"sync"
	"testing"
)

// TestParallelScanSnapshotAndWrites runs Scans and Snapshots (both clone
// the B-trees) beside writes. Under -race it catches clones taken
// concurrently, which google/btree forbids.
func TestParallelScanSnapshotAndWrites(t *testing.T) {
	a := &applier{f: New(Options{TotalShards: 1024})}
	for i := 0; i < 200; i++ {
		a.apply(&Command{Type: CmdPut, NowMs: 1, Key: []byte(fmt.Sprintf("k%03d", i)), Value: []byte("v"), ExpiresAtMs: int64(i % 3 * 100000)})
	}
	var wg sync.WaitGroup
	var mu sync.Mutex // Apply comes from one goroutine in Raft
	for w := 0; w < 4; w++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if items, _ := a.f.Scan(ScanOptions{Limit: 50}); len(items) == 0 {
					t.Error("scan found nothing")
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				s, err := a.f.Snapshot()
				if err != nil {
					t.Error(err)
					return
				}
				if err := s.Persist(&memSink{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				a.apply(&Command{Type: CmdPut, NowMs: 2, Key: []byte(fmt.Sprintf("k%03d", (i*7+w)%300)), Value: []byte("w"), ExpiresAtMs: 100000})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}
