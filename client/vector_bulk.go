package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// VectorItem is one vector for VectorInsertMany.
type VectorItem struct {
	ID     string
	Vector []float32
}

// DefaultBulkParallelism is how many requests VectorInsertMany keeps in
// flight by default: enough to fill the leader's replication batches.
const DefaultBulkParallelism = 16

// VectorInsertMany upserts items into namespace and returns how many were
// inserted. On our server it sends batches (norikv.console.v1
// VectorInsertBatch, at most BulkBatchItems items and BulkBatchBytes bytes
// each), each one Raft log entry with its own idempotency key; servers
// without it (UNIMPLEMENTED, remembered for the client's lifetime) get one
// Vector.Insert per item. Up to parallelism requests are in flight (0
// means DefaultBulkParallelism). It stops at the first failure and
// returns that error, which names the item ("item 20 (id "x"): ..."); a
// batch is all or nothing, and items already inserted stay, so calling it
// again with the same items is safe.
func (c *Client) VectorInsertMany(ctx context.Context, namespace string, items []VectorItem, parallelism int) (int, error) {
	if err := checkNamespace("vector insert many", namespace); err != nil {
		return 0, err
	}
	if parallelism < 0 {
		return 0, invalidArg("vector insert many", "parallelism %d must not be negative (0 means %d)", parallelism, DefaultBulkParallelism)
	}
	if parallelism == 0 {
		parallelism = DefaultBulkParallelism
	}
	var pending []int
	batched := 0
	if !c.noVecBatch.Load() {
		n, rest, err := c.insertBatched(ctx, namespace, items, parallelism)
		if rest == nil {
			if err == nil && n < len(items) {
				err = fmt.Errorf("vector insert many: stopped after %d of %d items: %w", n, len(items), ctx.Err())
			}
			return n, err
		}
		c.noVecBatch.Store(true)
		batched, pending = n, rest
	}
	n, err := c.insertSingles(ctx, namespace, items, pending, parallelism)
	return batched + n, err
}

// insertSingles upserts items (only those at the indexes in only, when it
// is not nil) one Vector.Insert each, up to parallelism in flight.
func (c *Client) insertSingles(ctx context.Context, namespace string, items []VectorItem, only []int, parallelism int) (int, error) {
	total := len(items)
	at := func(k int) int { return k }
	if only != nil {
		total = len(only)
		at = func(k int) int { return only[k] }
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
		once       sync.Once
		first      error
	)
	for w := 0; w < min(parallelism, total); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1)) - 1; k < total && ctx.Err() == nil; k = int(next.Add(1)) - 1 {
				i := at(k)
				if _, err := c.VectorInsert(ctx, namespace, items[i].ID, items[i].Vector, nil); err != nil {
					once.Do(func() {
						first = fmt.Errorf("item %d (id %q): %w", i, items[i].ID, err)
						cancel()
					})
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	n := int(done.Load())
	if first == nil && n < total {
		first = fmt.Errorf("vector insert many: stopped after %d of %d items: %w", n, total, ctx.Err())
	}
	return n, first
}
