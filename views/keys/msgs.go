package keys

import (
	"bytes"
	"time"

	"github.com/norikv/norikv-console/client"
)

// pageMsg is the answer to a scan, stamped with its request id so an older
// answer never replaces a newer one.
type pageMsg struct {
	reqID   int
	at      time.Time
	latency time.Duration
	res     *client.ScanResult
	err     error
}

// detailMsg is the answer to reading one key.
type detailMsg struct {
	reqID int
	key   []byte
	level client.ConsistencyLevel
	at    time.Time
	res   *client.GetResult
	err   error
}

// writeKind names the write a writeMsg reports.
type writeKind int

const (
	writeEdit writeKind = iota
	writeTTL
	writeNew
	writeDelete
)

// writeOp describes one write to run.
type writeOp struct {
	kind  writeKind
	key   []byte
	value []byte // nil for TTL from the list: read first
	// ifMatch is the version the user saw; nil writes unconditionally.
	ifMatch *client.Version
	// ttl is the new TTL (writeTTL, writeNew); 0 means none.
	ttl time.Duration
	// keepExpiry keeps the key's expiry on an edit (zero: none).
	keepExpiry time.Time
	// checkExists makes a new-key put refuse a key that exists.
	checkExists bool
	// idemKey is the write's idempotency key (made when it runs; kept
	// for a write whose outcome is unknown and reused by the same write).
	idemKey string
	// replay sends a write whose outcome was unknown again, with its
	// idempotency key: a TTL change skips its version check before the
	// write (the first may have changed the version) and the write's own
	// compare-and-swap decides. A new key is still checked: it may be
	// another writer's (then the form says it exists, maybe this write).
	replay bool
}

// label describes the operation for the status line.
func (o writeOp) label() string {
	k := DisplayKey(o.key)
	switch o.kind {
	case writeEdit:
		return "save " + k
	case writeTTL:
		if o.ttl == 0 {
			return "remove the TTL of " + k
		}
		return "set the TTL of " + k + " to " + durationText(o.ttl)
	case writeNew:
		return "put " + k
	default:
		return "delete " + k
	}
}

// againHint says how to send the same write again after its outcome was
// unknown, and that it then applies at most once.
func (o writeOp) againHint() string {
	switch o.kind {
	case writeEdit:
		return "ctrl+s sends the same save again and it applies at most once; esc and r read the key"
	case writeNew:
		return "ctrl+s tries again: if the key now exists, the form says so (it may be this write)"
	case writeTTL:
		return "the same TTL again applies at most once; r reads the key"
	default:
		return "d again deletes at most once; r reads the key"
	}
}

// sameWrite tells whether o is the write u again: same kind, key, value,
// expected version and TTL (a TTL from the list reads its value first, so
// only the rest counts).
func (o writeOp) sameWrite(u *writeOp) bool {
	if u == nil || o.kind != u.kind || !bytes.Equal(o.key, u.key) {
		return false
	}
	if (o.ifMatch == nil) != (u.ifMatch == nil) || (o.ifMatch != nil && *o.ifMatch != *u.ifMatch) {
		return false
	}
	switch o.kind {
	case writeTTL:
		return o.ttl == u.ttl
	case writeNew:
		return o.ttl == u.ttl && bytes.Equal(o.value, u.value)
	case writeEdit:
		return bytes.Equal(o.value, u.value)
	}
	return true
}

// writeMsg reports a finished write.
type writeMsg struct {
	op      writeOp
	at      time.Time
	latency time.Duration
	version client.Version // of the write
	err     error
	// exists is set when a new-key put found the key already there.
	exists *client.Version
	// tombstoned is Delete's answer: the key existed.
	tombstoned bool
	// unknown is set when the write failed after it was sent in a way
	// that does not say whether it was applied (a timeout, a lost answer).
	unknown bool
}

// openKeyMsg asks the pane to open a key (from the palette); edit opens
// the editor once it is loaded.
type openKeyMsg struct {
	key  []byte
	edit bool
}

// newKeyMsg asks the pane to open the new-key form (from the palette).
type newKeyMsg struct{}

// pageMoveMsg asks the pane to refresh (0) or move a page (+1, -1).
type pageMoveMsg struct{ delta int }

// viewerMsg asks the detail view for a value viewer action (from the
// palette): search for query, or toggle wrapping or folding.
type viewerMsg struct {
	search        bool
	query         string
	wrap, foldAll bool
}

// staleMsg asks the pane to toggle stale_ok reads.
type staleMsg struct{}
