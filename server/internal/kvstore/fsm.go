package kvstore

import (
	"bufio"
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
	// Outcomes of extension commands.
	NotFound      // the named object (a vector index) does not exist
	AlreadyExists // it exists with a different definition
	Invalid       // the command does not fit the current state (e.g. wrong dimensions)
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
	// Flag is an extension command's yes/no answer (created, dropped,
	// inserted, deleted); it is kept in idempotency records.
	Flag bool
}

// Extension lets another state machine (vector indexes) ride in the same
// group: it applies extension commands (tags from CmdExtension up) and adds
// a section to snapshots. The FSM handles idempotency around Apply.
type Extension interface {
	// Apply applies one committed command; it must be deterministic and
	// never panic on bad input (answer BadCommand or Invalid instead).
	Apply(c *Command, v Version) Result
	// Snapshot captures the state as of now. Raft never calls it
	// concurrently with Apply; the returned writer runs later, while Apply
	// continues, and must write a self-delimiting section.
	Snapshot() (func(w io.Writer) error, error)
	// Restore replaces the whole state with a section Snapshot wrote. It is
	// given the snapshot's *bufio.Reader (64 KiB): reading through a bufio
	// reader of the same size reuses it instead of reading ahead.
	Restore(r *bufio.Reader) error
	// Reset empties the state (restoring a snapshot without a section).
	Reset()
}

// Options tune an FSM.
type Options struct {
	TotalShards   int
	IdemRetention time.Duration // 0: DefaultIdemRetention
	IdemMax       int           // 0: DefaultIdemMaxRecords
	IdemMaxBytes  int           // 0: DefaultIdemMaxBytes
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
	if opts.IdemMaxBytes <= 0 {
		opts.IdemMaxBytes = DefaultIdemMaxBytes
	}
	return &FSM{opts: opts, t: newTables(), idem: newIdemTable()}
}

var (
	_ raft.FSM         = (*FSM)(nil)
	_ raft.BatchingFSM = (*FSM)(nil)
)

// Apply applies one committed log entry. It never panics on bad input: an
// undecodable or unknown command yields a BadCommand result on every replica.
func (f *FSM) Apply(l *raft.Log) any {
	c, err := DecodeCommand(l.Data)
	if err != nil {
		return Result{Outcome: BadCommand, Message: err.Error()}
	}
	v := Version{Term: l.Term, Index: l.Index}
	if c.Type.IsExtension() {
		return f.applyExtension(c, v)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.applyLocked(c, v)
}

// ApplyBatch applies the entries Raft committed together (raft.BatchingFSM):
// key commands take the lock once for the whole run instead of once per
// entry, which under many concurrent writers is most of what a group
// commits at a time. Results are those Apply would give, in order;
// entries that are not commands (configuration changes) get nil, as Raft
// never hands those to Apply.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	locked := false
	// Key commands of the batch are decoded into one Command, one after
	// the other: applyLocked keeps none of it but the Key and Value slices
	// (their own allocation). A Command per entry was 4% of a node's
	// allocated bytes at 64 writers.
	c := new(Command)
	for i, l := range logs {
		if l.Type != raft.LogCommand {
			continue
		}
		if err := decodeCommandInto(c, l.Data); err != nil {
			out[i] = Result{Outcome: BadCommand, Message: err.Error()}
			continue
		}
		v := Version{Term: l.Term, Index: l.Index}
		if c.Type.IsExtension() {
			// Extensions run without f.mu (applyExtension), and get a
			// Command of their own (the extension may keep it).
			if locked {
				f.mu.Unlock()
				locked = false
			}
			ec := new(Command)
			*ec = *c
			out[i] = f.applyExtension(ec, v)
			continue
		}
		if !locked {
			f.mu.Lock()
			locked = true
		}
		out[i] = f.applyLocked(c, v)
	}
	if locked {
		f.mu.Unlock()
	}
	return out
}

// applyLocked applies a key command (not an extension one) with f.mu held.
func (f *FSM) applyLocked(c *Command, v Version) Result {
	f.idem.prune(c.NowMs, f.opts.IdemRetention, f.opts.IdemMax, f.opts.IdemMaxBytes)
	switch c.Type {
	case CmdPut, CmdDelete:
		if res, ok := f.replay(c); ok {
			return res
		}
		return f.record(c, f.writeOnce(c, v))
	case CmdIdemClaim:
		return f.claim(c, v)
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

// applyExtension applies an extension command with the same idempotency
// rules as Put and Delete. The extension runs without f.mu held (it has its
// own locks), so key reads of the group are not held up by a slow vector
// insert; Raft applies entries one at a time, so nothing else touches the
// idempotency table in between.
func (f *FSM) applyExtension(c *Command, v Version) Result {
	if f.opts.Extension == nil {
		return Result{Outcome: BadCommand, Message: "this server build has no extension state machine"}
	}
	f.mu.Lock()
	f.idem.prune(c.NowMs, f.opts.IdemRetention, f.opts.IdemMax, f.opts.IdemMaxBytes)
	res, ok := f.replay(c)
	f.mu.Unlock()
	if ok {
		return res
	}
	res = f.opts.Extension.Apply(c, v)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record(c, res)
}

// replay returns the recorded reply when c's idempotency key was used
// before (an IdemConflict result when it was used for something else).
func (f *FSM) replay(c *Command) (Result, bool) {
	if c.IdemKey == "" {
		return Result{}, false
	}
	rec, ok := f.idem.lookup(c.IdemKey)
	if !ok {
		return Result{}, false
	}
	if rec.op != c.Type || rec.key != string(c.Key) {
		return Result{Outcome: IdemConflict, Message: idemConflictMessage(c.IdemKey)}, true
	}
	r := rec.result
	r.Replayed = true
	return r, true
}

// claim records that c.IdemKey belongs to the write (operation c.Value[0],
// scope c.Key) another group applies. A claim of a key already used for
// something else is an IdemConflict; a repeated identical claim is OK.
func (f *FSM) claim(c *Command, v Version) Result {
	if c.IdemKey == "" || len(c.Value) != 1 {
		return Result{Outcome: BadCommand, Message: "malformed idempotency claim"}
	}
	op := CommandType(c.Value[0])
	if rec, ok := f.idem.lookup(c.IdemKey); ok {
		if rec.op != op || rec.key != string(c.Key) {
			return Result{Outcome: IdemConflict, Message: idemConflictMessage(c.IdemKey)}
		}
		return Result{Version: v}
	}
	f.idem.add(&idemRecord{idemKey: c.IdemKey, op: op, key: string(c.Key), createdMs: c.NowMs, result: Result{Version: v}})
	return Result{Version: v}
}

// ClaimCommand returns the claim, for the group owning w.IdemKey, of the
// idempotent write w.
func ClaimCommand(w *Command) *Command {
	return &Command{Type: CmdIdemClaim, IdemKey: w.IdemKey, Key: w.Key, Value: []byte{byte(w.Type)}}
}

func idemConflictMessage(k string) string {
	return fmt.Sprintf("idempotency key %q was already used for a different operation or key; use a new idempotency key for each distinct write", k)
}

// record keeps res under c's idempotency key, if it has one. Undecodable
// commands are not recorded.
func (f *FSM) record(c *Command, res Result) Result {
	if c.IdemKey != "" && res.Outcome != BadCommand {
		f.idem.add(&idemRecord{idemKey: c.IdemKey, op: c.Type, key: string(c.Key), createdMs: c.NowMs, result: res})
	}
	return res
}

func (f *FSM) writeOnce(c *Command, v Version) Result {
	if c.IfMatch == nil {
		// No condition to check: one tree walk, not a lookup and then a
		// write (the lookup's cache misses were most of a Put's apply).
		if c.Type == CmdDelete {
			old, ok := f.t.remove(c.Key)
			return Result{Version: v, Tombstoned: ok && old.Live(c.NowMs)}
		}
		f.t.put(f.newItem(c, v))
		return Result{Version: v, ExpiresAtMs: c.ExpiresAtMs}
	}
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
	f.t.put(f.newItem(c, v))
	return Result{Version: v, ExpiresAtMs: c.ExpiresAtMs}
}

func (f *FSM) newItem(c *Command, v Version) *Item {
	shard := uint32(0)
	if f.opts.TotalShards > 0 {
		shard = shardOf(c.Key, f.opts.TotalShards)
	}
	return &Item{Key: c.Key, Value: c.Value, Version: v, ExpiresAtMs: c.ExpiresAtMs, Shard: shard}
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
	// Clone writes the tree's copy-on-write context, so it takes the write
	// lock (it is O(1)); the clone is then scanned without any lock.
	f.mu.Lock()
	t := f.t.clone()
	f.mu.Unlock()
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
