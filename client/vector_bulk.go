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

// DefaultBulkParallelism is how many inserts VectorInsertMany keeps in flight
// by default: enough to fill the leader's replication batches.
const DefaultBulkParallelism = 16

// VectorInsertMany upserts items into namespace with up to parallelism
// inserts in flight (0 means DefaultBulkParallelism), each with its own
// idempotency key and the client's usual retries. It stops at the first
// failure and returns how many items were inserted and that error, which
// names the item. Items already inserted stay (each insert is its own
// write), so calling it again with the same items is safe.
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
		once       sync.Once
		first      error
	)
	for w := 0; w < min(parallelism, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(items) && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
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
	if first == nil && n < len(items) {
		first = fmt.Errorf("vector insert many: stopped after %d of %d items: %w", n, len(items), ctx.Err())
	}
	return n, first
}
