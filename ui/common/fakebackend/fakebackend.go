// Package fakebackend is an in-memory common.Backend for pane tests: keys
// with versions, TTLs and compare-and-swap, paged scans, and vector indexes
// searched exactly. It answers at once and needs no cluster, so pane flows
// run in milliseconds. Its refusals are the client's own typed errors, built
// from the status our server answers (TestRefusalsClassifyAsOnARealCluster
// checks them against the embedded cluster); the few flows that need real
// replication or leases stay on the embedded cluster.
package fakebackend

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
)

// answer is the error the real client returns when our server refuses a
// call of op (a client op name, e.g. "put") with code and msg (PROTOCOL §4):
// the client's own typed error, so what panes make of it (a conflict, a
// missing key, an unknown outcome) is what they make of a real answer.
func answer(op string, code codes.Code, msg string, ifMatch *client.Version) error {
	return client.ErrorFromStatus(op, status.New(code, msg), ifMatch)
}

// Backend is the fake. The zero value is not usable: call New.
type Backend struct {
	mu      sync.Mutex
	now     func() time.Time
	shards  int
	index   uint64 // the last version index handed out
	keys    map[string]entry
	vectors map[string]*vindex
	fail    map[string]error
	lose    map[string]error
	calls   map[string]int
	// idem holds each idempotency key's first answer (Put, Delete), so a
	// write sent again with its key applies at most once, as on our server.
	idem map[string]idemReply
}

type idemReply struct {
	op         string
	version    client.Version
	tombstoned bool
	err        error
}

type entry struct {
	value   []byte
	version client.Version
	expires time.Time
}

type vindex struct {
	info client.VectorIndexInfo
	ids  map[string][]float32
}

// New returns an empty backend whose TTLs count on now (time.Now if nil)
// and whose keys route over shards shards (1024 if 0).
func New(now func() time.Time, shards int) *Backend {
	if now == nil {
		now = time.Now
	}
	if shards <= 0 {
		shards = 1024
	}
	return &Backend{now: now, shards: shards, keys: map[string]entry{}, vectors: map[string]*vindex{},
		fail: map[string]error{}, lose: map[string]error{}, calls: map[string]int{}, idem: map[string]idemReply{}}
}

// Fail makes every later call of op (a method name, e.g. "Put") return err;
// a nil err heals it.
func (b *Backend) Fail(op string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		delete(b.fail, op)
		return
	}
	b.fail[op] = err
}

// LoseAnswer makes every later call of op (Put or Delete) take effect and
// then return err, as when a write is committed but its answer never
// reaches the client (a timeout, a leader that stopped after committing);
// a nil err heals it.
func (b *Backend) LoseAnswer(op string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		delete(b.lose, op)
		return
	}
	b.lose[op] = err
}

// Calls returns how many times op was called.
func (b *Backend) Calls(op string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[op]
}

// begin counts a call and returns the injected failure, if any. The caller
// holds b.mu.
func (b *Backend) begin(ctx context.Context, op string) error {
	b.calls[op]++
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.fail[op]
}

func (b *Backend) nextVersion() client.Version {
	b.index++
	return client.Version{Term: 1, Index: b.index}
}

// Route hashes the key to a shard led by n1 (the fake has no topology).
func (b *Backend) Route(key []byte) client.Route {
	h := fnv.New64a()
	h.Write(key)
	sum := h.Sum64()
	return client.Route{Hash: sum, Shard: int(sum % uint64(b.shards)), Replicas: []string{"n1", "n2", "n3"}, LeaderID: "n1", LeaderAddr: "127.0.0.1:7447"}
}

// live returns the key's entry unless it is missing or expired. The caller
// holds b.mu.
func (b *Backend) live(key []byte) (entry, bool) {
	e, ok := b.keys[string(key)]
	if !ok || (!e.expires.IsZero() && !b.now().Before(e.expires)) {
		return entry{}, false
	}
	return e, true
}

// Get returns the key's value, version and expiry.
func (b *Backend) Get(ctx context.Context, key []byte, _ *client.GetOptions) (*client.GetResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "Get"); err != nil {
		return nil, err
	}
	e, ok := b.live(key)
	if !ok {
		return nil, answer("get", codes.NotFound, "key not found", nil)
	}
	r := &client.GetResult{Value: bytes.Clone(e.value), Version: e.version}
	if !e.expires.IsZero() {
		r.Meta = map[string]string{"expires_at_ms": strconv.FormatInt(e.expires.UnixMilli(), 10)}
	}
	return r, nil
}

// check compares the key's version with ifMatch for op, answering as our
// server does. The caller holds b.mu.
func (b *Backend) check(op string, key []byte, ifMatch *client.Version) error {
	if ifMatch == nil {
		return nil
	}
	e, ok := b.live(key)
	if !ok {
		return answer(op, codes.FailedPrecondition, "key does not exist", ifMatch)
	}
	if e.version != *ifMatch {
		return answer(op, codes.FailedPrecondition, fmt.Sprintf("version mismatch: expected term=%d index=%d, current term=%d index=%d",
			ifMatch.Term, ifMatch.Index, e.version.Term, e.version.Index), ifMatch)
	}
	return nil
}

// Put writes the key, with a TTL and a version check when asked. A put
// with an idempotency key already used answers as the first one did.
func (b *Backend) Put(ctx context.Context, key, value []byte, opts *client.PutOptions) (client.Version, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "Put"); err != nil {
		return client.Version{}, err
	}
	if opts == nil {
		opts = &client.PutOptions{}
	}
	if r, ok := b.idem[opts.IdempotencyKey]; ok && opts.IdempotencyKey != "" {
		if r.op != "Put" {
			return client.Version{}, answer("put", codes.InvalidArgument, fmt.Sprintf("idempotency key %q was used for %s", opts.IdempotencyKey, r.op), nil)
		}
		return r.version, r.err
	}
	v, err := b.put(key, value, opts)
	if opts.IdempotencyKey != "" {
		b.idem[opts.IdempotencyKey] = idemReply{op: "Put", version: v, err: err}
	}
	if lost := b.lose["Put"]; lost != nil {
		return client.Version{}, lost
	}
	return v, err
}

func (b *Backend) put(key, value []byte, opts *client.PutOptions) (client.Version, error) {
	if err := b.check("put", key, opts.IfMatchVersion); err != nil {
		return client.Version{}, err
	}
	e := entry{value: bytes.Clone(value), version: b.nextVersion()}
	if opts.TTL > 0 {
		e.expires = b.now().Add(opts.TTL)
	}
	b.keys[string(key)] = e
	return e.version, nil
}

// Delete removes the key, with a version check when asked; it reports
// whether the key existed. A delete with an idempotency key already used
// answers as the first one did.
func (b *Backend) Delete(ctx context.Context, key []byte, opts *client.DeleteOptions) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "Delete"); err != nil {
		return false, err
	}
	if opts == nil {
		opts = &client.DeleteOptions{}
	}
	if r, ok := b.idem[opts.IdempotencyKey]; ok && opts.IdempotencyKey != "" {
		if r.op != "Delete" {
			return false, answer("delete", codes.InvalidArgument, fmt.Sprintf("idempotency key %q was used for %s", opts.IdempotencyKey, r.op), nil)
		}
		return r.tombstoned, r.err
	}
	ok, err := b.delete(key, opts)
	if opts.IdempotencyKey != "" {
		b.idem[opts.IdempotencyKey] = idemReply{op: "Delete", tombstoned: ok, err: err}
	}
	if lost := b.lose["Delete"]; lost != nil {
		return false, lost
	}
	return ok, err
}

func (b *Backend) delete(key []byte, opts *client.DeleteOptions) (bool, error) {
	if err := b.check("delete", key, opts.IfMatchVersion); err != nil {
		return false, err
	}
	_, ok := b.live(key)
	delete(b.keys, string(key))
	return ok, nil
}

// Scan lists live keys in order, a page at a time.
func (b *Backend) Scan(ctx context.Context, opts *client.ScanOptions) (*client.ScanResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.begin(ctx, "Scan"); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &client.ScanOptions{}
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	var names []string
	for k := range b.keys {
		if _, ok := b.live([]byte(k)); ok && bytes.HasPrefix([]byte(k), opts.Prefix) && (len(opts.Cursor) == 0 || k > string(opts.Cursor)) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	res := &client.ScanResult{Done: len(names) <= limit}
	if !res.Done {
		names = names[:limit]
		res.NextCursor = []byte(names[len(names)-1])
	}
	for _, k := range names {
		e := b.keys[k]
		res.Entries = append(res.Entries, client.KeyEntry{Key: []byte(k), Shard: b.Route([]byte(k)).Shard,
			Size: uint64(len(e.value)), Version: e.version, ExpiresAt: e.expires})
	}
	return res, nil
}

var _ common.Backend = (*Backend)(nil)
