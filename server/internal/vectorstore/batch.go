package vectorstore

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// Batch limits (PROTOCOL.md §5, VectorInsertBatch). MaxBatchBytes counts
// ids plus 4 bytes a value; 3 MiB keeps a whole request under the server's
// 4 MiB gRPC message limit and a log entry small enough that followers
// apply it in a few milliseconds per thousand 64-dim HNSW inserts.
const (
	MaxBatchItems = 1000
	MaxBatchBytes = 3 << 20
)

// Item is one vector of a batch insert.
type Item struct {
	ID     string
	Vector []float32
}

// BatchBytes is what an item counts against MaxBatchBytes.
func BatchBytes(it Item) int { return len(it.ID) + 4*len(it.Vector) }

// InsertBatchCommand returns the replicated command upserting items, in
// order, into namespace: one log entry for the whole batch. The items must
// all have the same length (the service checks them first). Payload:
// uvarint(count), uvarint(dims), then per item uvarint(len(id)), id and
// dims little-endian float32s. The command key is the namespace's scope
// plus a digest of the payload, so an idempotency key reused for a
// different batch is refused (IdemConflict) rather than replaying the
// other batch's reply.
func InsertBatchCommand(ns string, items []Item, idemKey string) *kvstore.Command {
	dims := 0
	size := 16
	if len(items) > 0 {
		dims = len(items[0].Vector)
	}
	for _, it := range items {
		size += 2 + BatchBytes(it)
	}
	p := make([]byte, 0, size)
	p = binary.AppendUvarint(p, uint64(len(items)))
	p = binary.AppendUvarint(p, uint64(dims))
	for _, it := range items {
		p = binary.AppendUvarint(p, uint64(len(it.ID)))
		p = append(p, it.ID...)
		for _, f := range it.Vector {
			p = binary.LittleEndian.AppendUint32(p, math.Float32bits(f))
		}
	}
	sum := sha256.Sum256(p)
	return &kvstore.Command{Type: kvstore.CmdVecInsertBatch, Key: scopeKey(ns, string(sum[:16])), IdemKey: idemKey, Payload: p}
}

// decodeBatch undoes InsertBatchCommand's payload. The vectors share one
// backing array (Upsert copies them).
func decodeBatch(p []byte) ([]Item, error) {
	n, w := binary.Uvarint(p)
	if w <= 0 || n == 0 || n > MaxBatchItems {
		return nil, fmt.Errorf("%w: batch item count", errBadPayload)
	}
	p = p[w:]
	dims, w := binary.Uvarint(p)
	if w <= 0 || dims == 0 || dims > vectorindex.MaxDims {
		return nil, fmt.Errorf("%w: batch dimensions", errBadPayload)
	}
	p = p[w:]
	if uint64(len(p)) < n*(1+dims*4) {
		return nil, fmt.Errorf("%w: batch of %d items of %d dimensions in %d bytes", errBadPayload, n, dims, len(p))
	}
	flat := make([]float32, n*dims)
	items := make([]Item, n)
	for i := range items {
		l, w := binary.Uvarint(p)
		if w <= 0 || l > uint64(len(p)-w) || uint64(len(p)-w)-l < dims*4 {
			return nil, fmt.Errorf("%w: batch item %d", errBadPayload, i)
		}
		p = p[w:]
		items[i].ID = string(p[:l])
		p = p[l:]
		v := flat[uint64(i)*dims : uint64(i+1)*dims : uint64(i+1)*dims]
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(p[j*4:]))
		}
		items[i].Vector = v
		p = p[dims*4:]
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the batch", errBadPayload, len(p))
	}
	return items, nil
}

// ItemError names the item of a batch that failed ("item 3 (id "x"): ...").
func ItemError(i int, id string, err any) string {
	return fmt.Sprintf("item %d (id %q): %v", i, id, err)
}

// insertBatch applies a batch: every item is checked against the index
// before any is written, so an invalid batch changes nothing; then the
// items are upserted in order, one at a time (HNSW insertion order decides
// the graph, so replicas must agree on it). Only a full index can stop a
// batch part-way; the message then says how many items were applied.
func (s *Store) insertBatch(c *kvstore.Command, v kvstore.Version) kvstore.Result {
	ns, _, err := splitScope(c.Key)
	if err != nil {
		return kvstore.Result{Outcome: kvstore.BadCommand, Message: err.Error()}
	}
	ix, ok := s.Index(ns)
	if !ok {
		return kvstore.Result{Outcome: kvstore.NotFound, Message: NotFoundMessage(ns)}
	}
	items, err := decodeBatch(c.Payload)
	if err != nil {
		return kvstore.Result{Outcome: kvstore.BadCommand, Message: err.Error()}
	}
	for i, it := range items {
		if err := vectorindex.CheckID(it.ID); err != nil {
			return kvstore.Result{Outcome: kvstore.Invalid, Message: ItemError(i, it.ID, err)}
		}
		if err := ix.CheckVector(it.Vector); err != nil {
			return kvstore.Result{Outcome: kvstore.Invalid, Message: ItemError(i, it.ID, err)}
		}
	}
	for i, it := range items {
		if err := ix.Upsert(it.ID, it.Vector); err != nil {
			out := kvstore.Result{Outcome: kvstore.Invalid, Message: fmt.Sprintf("%s; the %d items before it were applied", ItemError(i, it.ID, err), i)}
			if errors.Is(err, vectorindex.ErrFull) {
				out.Outcome = kvstore.BadCommand
			}
			return out
		}
	}
	return kvstore.Result{Version: v, Flag: true}
}
