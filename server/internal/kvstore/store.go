// Package kvstore is the replicated state machine of one replication group:
// an ordered in-memory key-value store (a B-tree) with versions, absolute
// expiry times and idempotency records, plus snapshot and restore. Every
// decision that must agree across replicas (CAS, expiry, idempotency
// retention) is taken inside Apply from the command's own data.
package kvstore

import (
	"bytes"

	"github.com/google/btree"
)

// Item is one stored value. Items are immutable once in the tree, so a
// cloned tree (snapshots) can be read while Apply keeps writing.
type Item struct {
	Key         []byte
	Value       []byte
	Version     Version
	ExpiresAtMs int64 // 0 = no TTL
	Shard       uint32
}

// Live reports whether the item has not expired at nowMs.
func (it *Item) Live(nowMs int64) bool {
	return it.ExpiresAtMs == 0 || it.ExpiresAtMs > nowMs
}

func itemLess(a, b *Item) bool { return bytes.Compare(a.Key, b.Key) < 0 }

type expiryKey struct {
	at  int64
	key string
}

func expiryLess(a, b expiryKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.key < b.key
}

// tables holds the two ordered indexes: by key, and by expiry time.
type tables struct {
	items  *btree.BTreeG[*Item]
	expiry *btree.BTreeG[expiryKey]
}

func newTables() tables {
	return tables{
		items:  btree.NewG(32, itemLess),
		expiry: btree.NewG(32, expiryLess),
	}
}

func (t tables) clone() tables {
	return tables{items: t.items.Clone(), expiry: t.expiry.Clone()}
}

func (t tables) get(key []byte) (*Item, bool) {
	return t.items.Get(&Item{Key: key})
}

func (t tables) put(it *Item) {
	if old, ok := t.items.ReplaceOrInsert(it); ok && old.ExpiresAtMs != 0 {
		t.expiry.Delete(expiryKey{old.ExpiresAtMs, string(old.Key)})
	}
	if it.ExpiresAtMs != 0 {
		t.expiry.ReplaceOrInsert(expiryKey{it.ExpiresAtMs, string(it.Key)})
	}
}

// remove deletes key and returns the item it held, if any.
func (t tables) remove(key []byte) (*Item, bool) {
	old, ok := t.items.Delete(&Item{Key: key})
	if ok && old.ExpiresAtMs != 0 {
		t.expiry.Delete(expiryKey{old.ExpiresAtMs, string(old.Key)})
	}
	return old, ok
}

// ScanOptions selects keys for Scan.
type ScanOptions struct {
	Prefix     []byte
	StartAfter []byte            // strictly greater than this key (nil: from the start)
	Limit      int               // maximum items returned
	Shard      func(uint32) bool // nil: every shard
	NowMs      int64             // items expired at NowMs are skipped
}

// scan returns up to opts.Limit live items in key order, and whether more remain.
func (t tables) scan(opts ScanOptions) ([]*Item, bool) {
	var out []*Item
	more := false
	start := &Item{Key: opts.Prefix}
	if opts.StartAfter != nil && bytes.Compare(opts.StartAfter, opts.Prefix) >= 0 {
		start = &Item{Key: opts.StartAfter}
	}
	t.items.AscendGreaterOrEqual(start, func(it *Item) bool {
		if !bytes.HasPrefix(it.Key, opts.Prefix) {
			return false
		}
		if opts.StartAfter != nil && bytes.Compare(it.Key, opts.StartAfter) <= 0 {
			return true
		}
		if !it.Live(opts.NowMs) || (opts.Shard != nil && !opts.Shard(it.Shard)) {
			return true
		}
		if len(out) == opts.Limit {
			more = true
			return false
		}
		out = append(out, it)
		return true
	})
	return out, more
}

// expired lists up to max items whose expiry is at or before nowMs.
func (t tables) expired(nowMs int64, max int) []ExpireEntry {
	var out []ExpireEntry
	t.expiry.Ascend(func(e expiryKey) bool {
		if e.at > nowMs || len(out) == max {
			return false
		}
		if it, ok := t.get([]byte(e.key)); ok {
			out = append(out, ExpireEntry{Key: it.Key, Version: it.Version})
		}
		return true
	})
	return out
}
