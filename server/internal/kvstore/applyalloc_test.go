package kvstore

import (
	"fmt"
	"testing"

	"github.com/hashicorp/raft"
)

// TestApplyBatchDecodesIntoOneCommand: a batch of plain Puts allocates per
// entry only what the tree keeps (the key and value's bytes, the item) and
// the boxed result, not a Command each: the batch decodes its key commands
// into one. The state is that of applying them one by one.
func TestApplyBatchDecodesIntoOneCommand(t *testing.T) {
	const n = 16
	logs := make([]*raft.Log, n)
	for i := range logs {
		c := &Command{Type: CmdPut, NowMs: 1, Key: fmt.Appendf(nil, "k%02d", i), Value: fmt.Appendf(nil, "v%02d", i)}
		logs[i] = &raft.Log{Type: raft.LogCommand, Term: 1, Index: uint64(i + 1), Data: c.Encode()}
	}
	f := New(Options{TotalShards: 1024})
	f.ApplyBatch(logs) // the keys exist from now on: puts replace items
	allocs := testing.AllocsPerRun(50, func() { f.ApplyBatch(logs) })
	if limit := float64(3*n + 2); allocs > limit {
		t.Fatalf("ApplyBatch of %d puts made %.0f allocations, want at most %.0f (key+value bytes, item and result per entry; the results slice and one Command)", n, allocs, limit)
	}
	for i := range logs {
		it, ok := f.Get(fmt.Appendf(nil, "k%02d", i), 1)
		if !ok || string(it.Value) != fmt.Sprintf("v%02d", i) || it.Version.Index != uint64(i+1) {
			t.Fatalf("key %d after the batches: %+v %v", i, it, ok)
		}
	}
}
