package client

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client/internal/pool"
	"github.com/norikv/norikv-console/proto/consolepb"
)

// Scan limits.
const (
	DefaultScanLimit = 100
	MaxScanLimit     = 10000
	// scanFallbackParallelism bounds per-shard requests when a grouped scan
	// must be split (leader moved, node down).
	scanFallbackParallelism = 16
)

// ScanOptions selects the keys Scan returns.
type ScanOptions struct {
	// Prefix keeps only keys starting with it (empty: all keys).
	Prefix []byte
	// Cursor returns only keys strictly greater than it: pass the previous
	// page's NextCursor (empty: from the start).
	Cursor []byte
	// Limit is the page size, 1..10000; 0 means 100.
	Limit int
	// Shards restricts the scan to these shards; nil or empty means all.
	Shards []int
	// IncludeValues returns up to ValuePreviewBytes of each value (0 means 256).
	IncludeValues     bool
	ValuePreviewBytes int
	// Consistency of the reads; ConsistencyStaleOK lets followers answer.
	Consistency ConsistencyLevel
}

// KeyEntry describes one live key.
type KeyEntry struct {
	Key            []byte
	Shard          int
	Size           uint64 // value size in bytes
	Version        Version
	ExpiresAt      time.Time // zero when the key has no TTL
	Value          []byte    // preview, only with IncludeValues
	ValueTruncated bool
}

// ScanResult is one page of keys in ascending key order.
type ScanResult struct {
	Entries []KeyEntry
	// NextCursor is the Cursor for the next page; empty when Done.
	NextCursor []byte
	Done       bool
}

// scanPart is the answer of one source (a group of shards on one node, or
// one shard) for the current page.
type scanPart struct {
	entries []*consolepb.KeyEntry
	next    []byte
	done    bool
}

// Scan lists keys in key order across the selected shards (all by default).
// Shards are grouped by leader and each leader is asked once, in parallel;
// the answers are merged and trimmed to Limit. A server without the console
// extension answers with an error matching ErrUnsupported.
func (c *Client) Scan(ctx context.Context, opts *ScanOptions) (*ScanResult, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	var o ScanOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 || o.Limit > MaxScanLimit {
		return nil, invalidArg("scan", "limit %d out of range: use 1..%d (0 means %d)", o.Limit, MaxScanLimit, DefaultScanLimit)
	}
	if o.Limit == 0 {
		o.Limit = DefaultScanLimit
	}
	if o.ValuePreviewBytes < 0 {
		return nil, invalidArg("scan", "ValuePreviewBytes %d must not be negative", o.ValuePreviewBytes)
	}
	st := c.sh()
	shards := o.Shards
	if len(shards) == 0 {
		shards = make([]int, st.total)
		for i := range shards {
			shards[i] = i
		}
	}
	for _, s := range shards {
		if s < 0 || s >= st.total {
			return nil, invalidArg("scan", "shard %d out of range: shards are 0..%d", s, st.total-1)
		}
	}
	// A cluster with more shards than configured would be listed in part
	// without an error, one with fewer refused shard by shard: say why.
	if err := c.CheckShardCount(); err != nil {
		return nil, err
	}
	start := time.Now()
	parts, err := c.scanParts(ctx, st, &o, shards)
	err = c.shardCountFromServer(err)
	c.record(&c.m.ops[opScan], 0, start, time.Since(start), err != nil)
	if err != nil {
		c.m.codes.Add(codeOf(err))
		return nil, err
	}
	return mergeScan(parts, o.Limit), nil
}

// ScanShard is Scan restricted to one shard.
func (c *Client) ScanShard(ctx context.Context, shard int, opts *ScanOptions) (*ScanResult, error) {
	var o ScanOptions
	if opts != nil {
		o = *opts
	}
	o.Shards = []int{shard}
	return c.Scan(ctx, &o)
}

// scanParts asks every leader for its shards in parallel. A group whose node
// refuses or fails is split into per-shard requests that go through the
// normal request loop (redirects, retries).
func (c *Client) scanParts(ctx context.Context, st *shardState, o *ScanOptions, shards []int) ([]scanPart, error) {
	groups := map[string][]int{}
	var unknown []int
	for _, s := range shards {
		if e := st.leaders[s].Load(); e != nil && e.addr != "" {
			groups[e.addr] = append(groups[e.addr], s)
		} else {
			unknown = append(unknown, s)
		}
	}
	var (
		mu    sync.Mutex
		parts []scanPart
		first error
		wg    sync.WaitGroup
	)
	record := func(p []scanPart, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if first == nil {
				first = err
			}
			return
		}
		parts = append(parts, p...)
	}
	for addr, ss := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.scanOnce(ctx, o, &call{op: opScan, shard: -1, pinned: addr, consistency: true}, ss)
			if err == nil {
				record([]scanPart{p}, nil)
				return
			}
			if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrClosed) || ctx.Err() != nil || isInvalidArg(err) {
				record(nil, err)
				return
			}
			record(c.scanEach(ctx, o, ss))
		}()
	}
	if len(unknown) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			record(c.scanEach(ctx, o, unknown))
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return parts, nil
}

// scanEach scans shards one request per shard, at most
// scanFallbackParallelism at a time. The first shard goes alone: a server
// without the extension answers UNIMPLEMENTED once instead of once per
// shard. The first failure stops the fan-out.
func (c *Client) scanEach(ctx context.Context, o *ScanOptions, shards []int) ([]scanPart, error) {
	if len(shards) == 0 {
		return nil, nil
	}
	first, err := c.scanOnce(ctx, o, &call{op: opScan, shard: shards[0], consistency: true}, shards[:1])
	if err != nil {
		return nil, err
	}
	rest := shards[1:]
	parts := make([]scanPart, len(rest))
	errs := make([]error, len(rest))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, scanFallbackParallelism)
	var wg sync.WaitGroup
	for i, s := range rest {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break // a shard failed: the whole scan fails, send no more
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			parts[i], errs[i] = c.scanOnce(ctx, o, &call{op: opScan, shard: s, consistency: true}, []int{s})
			if errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	// Report the first real failure, not the cancellations it caused.
	var firstErr error
	for _, err := range errs {
		if err != nil && (firstErr == nil || isCanceled(firstErr)) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return append([]scanPart{first}, parts...), nil
}

// isCanceled reports whether err is a context cancellation.
func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// scanOnce sends one ScanRequest for shards through the request loop.
func (c *Client) scanOnce(ctx context.Context, o *ScanOptions, cl *call, shards []int) (scanPart, error) {
	req := &consolepb.ScanRequest{
		Prefix:            o.Prefix,
		StartAfter:        o.Cursor,
		Limit:             uint32(o.Limit),
		IncludeValues:     o.IncludeValues,
		ValuePreviewBytes: uint32(o.ValuePreviewBytes),
		Shards:            make([]uint32, len(shards)),
	}
	for i, s := range shards {
		req.Shards[i] = uint32(s)
	}
	var resp *consolepb.ScanResponse
	_, err := c.run(ctx, cl, func(ctx context.Context, n *pool.Node, co []grpc.CallOption) error {
		req.Consistency = o.Consistency.wire(n.AltVocab.Load())
		var err error
		resp, err = n.Console.Scan(ctx, req, co...)
		return err
	}, time.Now())
	if err != nil {
		return scanPart{}, err
	}
	p := scanPart{entries: resp.GetEntries(), next: resp.GetNextCursor(), done: resp.GetDone()}
	if !p.done && len(p.next) == 0 {
		if len(p.entries) == 0 {
			p.done = true // no progress possible; treat as exhausted
		} else {
			p.next = p.entries[len(p.entries)-1].GetKey()
		}
	}
	return p, nil
}

// mergeScan merges the parts in key order. Keys beyond the smallest cursor of
// an unfinished part are held back (that part may have smaller keys it has
// not returned yet), then the page is trimmed to limit.
func mergeScan(parts []scanPart, limit int) *ScanResult {
	var bound []byte
	more := false
	var all []*consolepb.KeyEntry
	for _, p := range parts {
		all = append(all, p.entries...)
		if !p.done {
			more = true
			if bound == nil || bytes.Compare(p.next, bound) < 0 {
				bound = p.next
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return bytes.Compare(all[i].GetKey(), all[j].GetKey()) < 0 })
	if bound != nil {
		n := sort.Search(len(all), func(i int) bool { return bytes.Compare(all[i].GetKey(), bound) > 0 })
		all = all[:n]
	}
	if len(all) > limit {
		all = all[:limit]
		more = true
	}
	res := &ScanResult{Entries: make([]KeyEntry, len(all)), Done: !more}
	for i, e := range all {
		res.Entries[i] = keyEntryFromPB(e)
	}
	if more && len(all) > 0 {
		res.NextCursor = append([]byte(nil), all[len(all)-1].GetKey()...)
	} else if more {
		res.NextCursor = append([]byte(nil), bound...)
	}
	return res
}

func keyEntryFromPB(e *consolepb.KeyEntry) KeyEntry {
	k := KeyEntry{
		Key:            e.GetKey(),
		Shard:          int(e.GetShard()),
		Size:           e.GetSize(),
		Version:        versionFromPB(e.GetVersion()),
		Value:          e.GetValue(),
		ValueTruncated: e.GetValueTruncated(),
	}
	if ms := e.GetExpiresAtMs(); ms > 0 {
		k.ExpiresAt = time.UnixMilli(int64(ms))
	}
	return k
}

func isInvalidArg(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == codes.InvalidArgument
}
