// Package audit wraps the panes' backend so every write made from the
// console is appended to the audit file (ui/journal) with what it touched,
// the version it expected and the one it wrote, the idempotency key it
// carried and its result. Reads pass through untouched.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
)

// Backend records the writes of the backend it wraps.
type Backend struct {
	common.Backend
	j *journal.Journal
}

// Wrap returns b recording its writes to j (b itself when either is nil).
func Wrap(b common.Backend, j *journal.Journal) common.Backend {
	if b == nil || j == nil {
		return b
	}
	return &Backend{Backend: b, j: j}
}

// NewIdempotencyKey makes the key a console write carries, so the audit
// file can name it (the client would otherwise pick one it does not show).
func NewIdempotencyKey() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "" // the client then generates one; the record says none
	}
	return "console-" + hex.EncodeToString(b)
}

// FormatVersion writes a version as the audit file and status line do.
func FormatVersion(v client.Version) string { return fmt.Sprintf("%d/%d", v.Term, v.Index) }

func versionOf(v *client.Version) string {
	if v == nil {
		return ""
	}
	return FormatVersion(*v)
}

// KeyText shows a key in the audit file: as is when it is printable UTF-8,
// else quoted with Go escapes, so binary keys stay exact.
func KeyText(k []byte) string {
	if utf8.Valid(k) {
		s := string(k)
		if strconv.Quote(s) == `"`+s+`"` {
			return s
		}
	}
	return strconv.Quote(string(k))
}

func (b *Backend) record(r journal.Record, start time.Time, err error, ok string) {
	r.Time = start
	r.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	r.Result = "ok"
	if ok != "" {
		r.Result = "ok: " + ok
	}
	if err != nil {
		r.Result = err.Error()
	}
	b.j.Audit(r)
}

// Put implements common.Backend.
func (b *Backend) Put(ctx context.Context, key, value []byte, opts *client.PutOptions) (client.Version, error) {
	o := client.PutOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	v, err := b.Backend.Put(ctx, key, value, &o)
	r := journal.Record{Op: "put", Key: KeyText(key), VersionBefore: versionOf(o.IfMatchVersion), IdempotencyKey: o.IdempotencyKey}
	if err == nil {
		r.VersionAfter = FormatVersion(v)
	}
	b.record(r, start, err, "")
	return v, err
}

// Delete implements common.Backend.
func (b *Backend) Delete(ctx context.Context, key []byte, opts *client.DeleteOptions) (bool, error) {
	o := client.DeleteOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	existed, err := b.Backend.Delete(ctx, key, &o)
	b.record(journal.Record{Op: "delete", Key: KeyText(key), VersionBefore: versionOf(o.IfMatchVersion), IdempotencyKey: o.IdempotencyKey},
		start, err, map[bool]string{true: "deleted", false: "it was already gone"}[existed])
	return existed, err
}

// VectorCreateIndex implements common.Backend.
func (b *Backend) VectorCreateIndex(ctx context.Context, namespace string, dimensions int, distance client.DistanceFunction, indexType client.VectorIndexType, opts *client.CreateVectorIndexOptions) (bool, error) {
	o := client.CreateVectorIndexOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	created, err := b.Backend.VectorCreateIndex(ctx, namespace, dimensions, distance, indexType, &o)
	b.record(journal.Record{Op: "create index", Namespace: namespace, IdempotencyKey: o.IdempotencyKey},
		start, err, map[bool]string{true: "created", false: "an identical index was there"}[created])
	return created, err
}

// VectorDropIndex implements common.Backend.
func (b *Backend) VectorDropIndex(ctx context.Context, namespace string, opts *client.DropVectorIndexOptions) (bool, error) {
	o := client.DropVectorIndexOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	existed, err := b.Backend.VectorDropIndex(ctx, namespace, &o)
	b.record(journal.Record{Op: "drop index", Namespace: namespace, IdempotencyKey: o.IdempotencyKey},
		start, err, map[bool]string{true: "dropped", false: "there was no such index"}[existed])
	return existed, err
}

// VectorInsert implements common.Backend.
func (b *Backend) VectorInsert(ctx context.Context, namespace, id string, vector []float32, opts *client.VectorInsertOptions) (client.Version, error) {
	o := client.VectorInsertOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	v, err := b.Backend.VectorInsert(ctx, namespace, id, vector, &o)
	r := journal.Record{Op: "vector insert", Namespace: namespace, ID: id, IdempotencyKey: o.IdempotencyKey}
	if err == nil {
		r.VersionAfter = FormatVersion(v)
	}
	b.record(r, start, err, "")
	return v, err
}

// VectorInsertMany implements common.Backend: one record for the batch
// (each insert carries its own idempotency key, chosen by the client).
func (b *Backend) VectorInsertMany(ctx context.Context, namespace string, items []client.VectorItem, parallelism int) (int, error) {
	start := time.Now()
	n, err := b.Backend.VectorInsertMany(ctx, namespace, items, parallelism)
	r := journal.Record{Op: "vector insert many", Namespace: namespace}
	if len(items) > 0 {
		r.ID = fmt.Sprintf("%s .. %s (%d items)", items[0].ID, items[len(items)-1].ID, len(items))
	}
	if err != nil {
		err = fmt.Errorf("%d of %d inserted: %w", n, len(items), err)
	}
	b.record(r, start, err, fmt.Sprintf("%d inserted", n))
	return n, err
}

// VectorDelete implements common.Backend.
func (b *Backend) VectorDelete(ctx context.Context, namespace, id string, opts *client.VectorDeleteOptions) (bool, error) {
	o := client.VectorDeleteOptions{}
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = NewIdempotencyKey()
	}
	start := time.Now()
	existed, err := b.Backend.VectorDelete(ctx, namespace, id, &o)
	b.record(journal.Record{Op: "vector delete", Namespace: namespace, ID: id, IdempotencyKey: o.IdempotencyKey},
		start, err, map[bool]string{true: "deleted", false: "it was already gone"}[existed])
	return existed, err
}
