package client

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/consolepb"
)

// Bulk-load batches (norikv.console.v1 VectorInsertBatch). Our server
// takes up to 1000 items and 3 MiB of ids and values a batch; the client
// cuts smaller batches so that several are in flight and each commits
// quickly.
const (
	// BulkBatchItems is the most items VectorInsertMany puts in one batch.
	BulkBatchItems = 256
	// BulkBatchBytes is the most id and value bytes (4 a value) in one batch.
	BulkBatchBytes = 1 << 20
)

// batchSpan is items[lo:hi] of a bulk load.
type batchSpan struct{ lo, hi int }

// splitBatches cuts items into spans of at most BulkBatchItems items and
// BulkBatchBytes bytes (one item over the byte bound still gets a span).
func splitBatches(items []VectorItem) []batchSpan {
	var spans []batchSpan
	lo, size := 0, 0
	for i, it := range items {
		b := len(it.ID) + 4*len(it.Vector)
		if i > lo && (i-lo == BulkBatchItems || size+b > BulkBatchBytes) {
			spans = append(spans, batchSpan{lo, i})
			lo, size = i, 0
		}
		size += b
	}
	if lo < len(items) {
		spans = append(spans, batchSpan{lo, len(items)})
	}
	return spans
}

// itemPrefix matches the item a server's batch error names.
var itemPrefix = regexp.MustCompile(`^item (\d+) \(id "(?:[^"\\]|\\.)*"\): `)

// insertBatched loads items with VectorInsertBatch, up to parallelism
// batches in flight. It returns the items inserted and the first error;
// when the server answers UNIMPLEMENTED, unsupported is true and pending
// lists the indexes of the items no batch inserted.
func (c *Client) insertBatched(ctx context.Context, namespace string, items []VectorItem, parallelism int) (n int, pending []int, err error) {
	spans := splitBatches(items)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, done  atomic.Int64
		wg          sync.WaitGroup
		once        sync.Once
		first       error
		unsupported atomic.Bool
	)
	ok := make([]bool, len(spans))
	for w := 0; w < min(parallelism, len(spans)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := int(next.Add(1)) - 1; s < len(spans) && ctx.Err() == nil; s = int(next.Add(1)) - 1 {
				err := c.insertBatch(ctx, namespace, items, spans[s])
				if err != nil {
					if errors.Is(err, ErrUnsupported) {
						unsupported.Store(true)
					}
					once.Do(func() {
						first = err
						cancel()
					})
					return
				}
				ok[s] = true
				done.Add(int64(spans[s].hi - spans[s].lo))
			}
		}()
	}
	wg.Wait()
	n = int(done.Load())
	if unsupported.Load() {
		for s, sp := range spans {
			for i := sp.lo; !ok[s] && i < sp.hi; i++ {
				pending = append(pending, i)
			}
		}
		return n, pending, first
	}
	return n, nil, first
}

// insertBatch sends items[sp.lo:sp.hi] as one batch with one idempotency
// key, so the client's retries apply it at most once. Errors name the
// item: the one the server named, or the batch's first.
func (c *Client) insertBatch(ctx context.Context, namespace string, items []VectorItem, sp batchSpan) error {
	const op = "vector insert many"
	shard := nsShard(namespace, c.sh().total)
	req := &consolepb.VectorInsertBatchRequest{
		Namespace:      namespace,
		Items:          make([]*consolepb.VectorBatchItem, 0, sp.hi-sp.lo),
		IdempotencyKey: c.nextIdempotencyKey(shard),
	}
	for i := sp.lo; i < sp.hi; i++ {
		if err := checkVectorID(op, items[i].ID); err != nil {
			return fmt.Errorf("item %d (id %q): %w", i, items[i].ID, err)
		}
		if err := checkDims(op, "the vector", len(items[i].Vector)); err != nil {
			return fmt.Errorf("item %d (id %q): %w", i, items[i].ID, err)
		}
		req.Items = append(req.Items, &consolepb.VectorBatchItem{Id: items[i].ID, Vector: items[i].Vector})
	}
	cl := call{op: opVectorInsert, shard: shard}
	err := c.invoke(ctx, &cl, func(ctx context.Context, n *pool.Node, o []grpc.CallOption) error {
		_, err := n.Console.VectorInsertBatch(ctx, req, o...)
		return err
	})
	if err == nil {
		return nil
	}
	var ia *InvalidArgumentError
	if errors.As(err, &ia) && !ia.Local {
		if m := itemPrefix.FindStringSubmatch(ia.Message); m != nil {
			if k, perr := strconv.Atoi(m[1]); perr == nil && k < sp.hi-sp.lo {
				i := sp.lo + k
				return newInvalidArgument(op, fmt.Sprintf("item %d (id %q): %s", i, items[i].ID, ia.Message[len(m[0]):]), false)
			}
		}
	}
	if errors.Is(err, ErrUnsupported) {
		return err
	}
	return fmt.Errorf("item %d (id %q): %w", sp.lo, items[sp.lo].ID, err)
}
