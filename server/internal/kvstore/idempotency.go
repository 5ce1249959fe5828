package kvstore

import "time"

// Idempotency retention defaults (PROTOCOL.md §4: bounded time and count).
const (
	DefaultIdemRetention  = 10 * time.Minute
	DefaultIdemMaxRecords = 100_000
	// DefaultIdemMaxBytes bounds a group's records by their estimated
	// memory (idemRecordBytes), so long keys cannot make the count bound
	// cost gigabytes: 4 MiB is ~15 000 records of 36-byte idempotency keys
	// and 16-byte keys per group.
	DefaultIdemMaxBytes = 4 << 20
)

// idemRecordOverhead estimates a record's fixed memory: the struct with
// its Result, its map entry and its slot in the arrival queue.
const idemRecordOverhead = 200

// idemRecordBytes is the memory a record is counted for.
func idemRecordBytes(r *idemRecord) int {
	return idemRecordOverhead + 2*len(r.idemKey) + len(r.key) + len(r.result.Message)
}

// idemRecord remembers the reply of one idempotent write.
type idemRecord struct {
	idemKey   string
	op        CommandType
	key       string
	createdMs int64
	result    Result
}

// idemTable keeps records in arrival order so the oldest go first, whether
// by age or by count. Arrival order is log order, identical on every replica.
type idemTable struct {
	byKey map[string]*idemRecord
	bytes int           // idemRecordBytes of the records in byKey
	order []*idemRecord // FIFO; order[head:] are live or already replaced
	head  int
}

func newIdemTable() *idemTable { return &idemTable{byKey: map[string]*idemRecord{}} }

func (t *idemTable) lookup(k string) (*idemRecord, bool) {
	r, ok := t.byKey[k]
	return r, ok
}

func (t *idemTable) add(r *idemRecord) {
	if old, ok := t.byKey[r.idemKey]; ok {
		t.bytes -= idemRecordBytes(old)
	}
	t.byKey[r.idemKey] = r
	t.bytes += idemRecordBytes(r)
	t.order = append(t.order, r)
}

// prune drops records older than retention (by the command clock) and the
// oldest beyond maxRecords or maxBytes. Both depend on the log only, so
// every replica keeps the same records.
func (t *idemTable) prune(nowMs int64, retention time.Duration, maxRecords, maxBytes int) {
	cutoff := nowMs - retention.Milliseconds()
	for t.head < len(t.order) {
		r := t.order[t.head]
		if len(t.byKey) <= maxRecords && t.bytes <= maxBytes && r.createdMs > cutoff {
			break
		}
		if t.byKey[r.idemKey] == r {
			delete(t.byKey, r.idemKey)
			t.bytes -= idemRecordBytes(r)
		}
		t.order[t.head] = nil
		t.head++
	}
	if t.head > 1024 && t.head*2 > len(t.order) {
		t.order = append([]*idemRecord(nil), t.order[t.head:]...)
		t.head = 0
	}
}

// records returns the live records in arrival order.
func (t *idemTable) records() []*idemRecord {
	out := make([]*idemRecord, 0, len(t.byKey))
	for _, r := range t.order[t.head:] {
		if t.byKey[r.idemKey] == r {
			out = append(out, r)
		}
	}
	return out
}
