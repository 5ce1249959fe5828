package kvstore

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"
)

// Outcome classifies the result of applying a command.
type Outcome int

// Outcomes of Apply.
const (
	OK Outcome = iota
	VersionMismatch
	KeyMissing
	IdemConflict
	BadCommand
)

// Result is what Apply returns to the proposer (and what an idempotent
// replay returns again).
type Result struct {
	Outcome     Outcome
	Message     string
	Version     Version
	Tombstoned  bool  // Delete: the key existed
	ExpiresAtMs int64 // Put: the absolute expiry it set (0: none)
	Replayed    bool  // the reply came from an idempotency record
	Ext         any   // the Extension's reply for CmdExtension
}

// Extension lets another state machine (vector indexes) ride in the same
// group: it applies CmdExtension payloads and adds a section to snapshots.
type Extension interface {
	Apply(payload []byte, v Version, nowMs int64) any
	// WriteSnapshot writes a self-delimiting section; ReadSnapshot reads it back.
	WriteSnapshot(w io.Writer) error
	ReadSnapshot(r io.Reader) error
}

// Options tune an FSM.
type Options struct {
	TotalShards   int
	IdemRetention time.Duration // 0: DefaultIdemRetention
	IdemMax       int           // 0: DefaultIdemMaxRecords
	Extension     Extension     // optional
}

// FSM is the raft.FSM of one replication group.
type FSM struct {
	opts Options

	mu   sync.RWMutex
	t    tables
	idem *idemTable

	expiredDeletes atomic.Uint64
}

// New returns an empty state machine.
func New(opts Options) *FSM {
	if opts.IdemRetention <= 0 {
		opts.IdemRetention = DefaultIdemRetention
	}
	if opts.IdemMax <= 0 {
		opts.IdemMax = DefaultIdemMaxRecords
	}
	return &FSM{opts: opts, t: newTables(), idem: newIdemTable()}
}

var _ raft.FSM = (*FSM)(nil)

// Apply applies one committed log entry. It never panics on bad input: an
// undecodable or unknown command yields a BadCommand result on every replica.
func (f *FSM) Apply(l *raft.Log) any {
	c, err := DecodeCommand(l.Data)
	if err != nil {
		return Result{Outcome: BadCommand, Message: err.Error()}
	}
	v := Version{Term: l.Term, Index: l.Index}
	if c.Type == CmdExtension {
		if f.opts.Extension == nil {
			return Result{Outcome: BadCommand, Message: "this server build has no extension state machine"}
		}
		return Result{Ext: f.opts.Extension.Apply(c.Payload, v, c.NowMs), Version: v}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idem.prune(c.NowMs, f.opts.IdemRetention, f.opts.IdemMax)
	switch c.Type {
	case CmdPut, CmdDelete:
		return f.applyWrite(c, v)
	case CmdExpire:
		for _, e := range c.Expired {
			if it, ok := f.t.get(e.Key); ok && it.Version == e.Version && !it.Live(c.NowMs) {
				f.t.remove(e.Key)
				f.expiredDeletes.Add(1)
			}
		}
		return Result{Version: v}
	default:
		return Result{Outcome: BadCommand, Message: fmt.Sprintf("unknown command type %d", c.Type)}
	}
}

func (f *FSM) applyWrite(c *Command, v Version) Result {
	if c.IdemKey != "" {
		if rec, ok := f.idem.lookup(c.IdemKey); ok {
			if rec.op != c.Type || rec.key != string(c.Key) {
				return Result{Outcome: IdemConflict, Message: fmt.Sprintf(
					"idempotency key %q was already used for a different operation or key; use a new idempotency key for each distinct write", c.IdemKey)}
			}
			r := rec.result
			r.Replayed = true
			return r
		}
	}
	res := f.writeOnce(c, v)
	if c.IdemKey != "" {
		f.idem.add(&idemRecord{idemKey: c.IdemKey, op: c.Type, key: string(c.Key), createdMs: c.NowMs, result: res})
	}
	return res
}

func (f *FSM) writeOnce(c *Command, v Version) Result {
	cur, exists := f.t.get(c.Key)
	if exists && !cur.Live(c.NowMs) {
		exists = false
	}
	if c.IfMatch != nil {
		if !exists {
			return Result{Outcome: KeyMissing, Message: "key does not exist"}
		}
		if cur.Version != *c.IfMatch {
			return Result{Outcome: VersionMismatch, Message: fmt.Sprintf(
				"version mismatch: expected term=%d index=%d, current term=%d index=%d",
				c.IfMatch.Term, c.IfMatch.Index, cur.Version.Term, cur.Version.Index)}
		}
	}
	if c.Type == CmdDelete {
		f.t.remove(c.Key)
		return Result{Version: v, Tombstoned: exists}
	}
	shard := uint32(0)
	if f.opts.TotalShards > 0 {
		shard = shardOf(c.Key, f.opts.TotalShards)
	}
	f.t.put(&Item{Key: c.Key, Value: c.Value, Version: v, ExpiresAtMs: c.ExpiresAtMs, Shard: shard})
	return Result{Version: v, ExpiresAtMs: c.ExpiresAtMs}
}

// Get returns the live item under key at nowMs.
func (f *FSM) Get(key []byte, nowMs int64) (*Item, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	it, ok := f.t.get(key)
	if !ok || !it.Live(nowMs) {
		return nil, false
	}
	return it, true
}

// Scan returns live items in key order and whether more remain.
func (f *FSM) Scan(opts ScanOptions) ([]*Item, bool) {
	f.mu.RLock()
	t := f.t.clone()
	f.mu.RUnlock()
	return t.scan(opts)
}

// Expired lists up to max keys already expired at nowMs (for the expirer).
func (f *FSM) Expired(nowMs int64, max int) []ExpireEntry {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.t.expired(nowMs, max)
}

// Len is the number of stored items, expired ones not yet deleted included.
func (f *FSM) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.t.items.Len()
}

// ExpiredDeletes counts keys this replica deleted because they expired.
func (f *FSM) ExpiredDeletes() uint64 { return f.expiredDeletes.Load() }

// Extension returns the extension state machine, if any.
func (f *FSM) Extension() Extension { return f.opts.Extension }
