package service

import (
	"context"

	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/proto/consolepb"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// VectorInsertBatch upserts a batch of vectors as one Raft log entry
// (norikv.console.v1, PROTOCOL.md §5): a bulk load then costs one
// replication round and one fsync per batch instead of per vector. Every
// item is validated first, on any node, and the first invalid one fails
// the whole batch with its position and id; a node that does not lead the
// namespace's group forwards the call like the Vector calls.
func (c *consoleService) VectorInsertBatch(ctx context.Context, req *consolepb.VectorInsertBatchRequest) (*consolepb.VectorInsertBatchResponse, error) {
	if err := checkNamespace(req.Namespace); err != nil {
		return nil, err
	}
	if err := checkIdemKey(req.IdempotencyKey); err != nil {
		return nil, err
	}
	items, err := batchItems(req)
	if err != nil {
		return nil, err
	}
	vs := &vectorService{s: c.s}
	dims := len(items[0].Vector)
	if ix, ok := vs.localIndex(req.Namespace); ok {
		dims = ix.Config().Dims
	}
	for i, it := range items {
		if err := checkDims("vector", req.Namespace, len(it.Vector), dims); err != nil {
			return nil, itemError(i, it.ID, err)
		}
	}
	res, err := vs.propose(ctx, req.Namespace, vectorstore.InsertBatchCommand(req.Namespace, items, req.IdempotencyKey))
	if err != nil {
		return nil, err
	}
	return &consolepb.VectorInsertBatchResponse{Inserted: uint32(len(items)), Version: pbVersion(res.Version)}, nil
}

// batchItems checks a batch's size and every item's id and values, and
// converts the items.
func batchItems(req *consolepb.VectorInsertBatchRequest) ([]vectorstore.Item, error) {
	n := len(req.Items)
	if n == 0 || n > vectorstore.MaxBatchItems {
		return nil, invalid("batch has %d items: a batch holds 1..%d items; split larger loads", n, vectorstore.MaxBatchItems)
	}
	items := make([]vectorstore.Item, n)
	size := 0
	for i, it := range req.Items {
		if err := checkVectorID(it.GetId()); err != nil {
			return nil, itemError(i, it.GetId(), err)
		}
		if err := checkFloats("vector", it.GetVector()); err != nil {
			return nil, itemError(i, it.GetId(), err)
		}
		items[i] = vectorstore.Item{ID: it.GetId(), Vector: it.GetVector()}
		if size += vectorstore.BatchBytes(items[i]); size > vectorstore.MaxBatchBytes {
			return nil, invalid("batch is over %d bytes of ids and values (4 bytes a value) at item %d: split it into smaller batches",
				vectorstore.MaxBatchBytes, i)
		}
	}
	return items, nil
}

// itemError prefixes a validation error with the item it is about.
func itemError(i int, id string, err error) error {
	return invalid("%s", vectorstore.ItemError(i, id, status.Convert(err).Message()))
}
