package client

import (
	"time"

	"github.com/norikv/norikv-console/proto/norikvpb"
)

// Version identifies the write that produced a value: the replication term
// and log index of that write.
type Version struct {
	Term, Index uint64
}

// IsZero reports whether v is the zero version (no version known).
func (v Version) IsZero() bool { return v.Term == 0 && v.Index == 0 }

func versionFromPB(v *norikvpb.Version) Version {
	if v == nil {
		return Version{}
	}
	return Version{Term: v.GetTerm(), Index: v.GetIndex()}
}

func (v *Version) toPB() *norikvpb.Version {
	if v == nil {
		return nil
	}
	return &norikvpb.Version{Term: v.Term, Index: v.Index}
}

// ConsistencyLevel selects how a read is served.
type ConsistencyLevel int

const (
	// ConsistencyLease (the default) has the leader answer locally while its
	// lease holds.
	ConsistencyLease ConsistencyLevel = iota
	// ConsistencyLinearizable has the leader confirm leadership with a quorum
	// before reading.
	ConsistencyLinearizable
	// ConsistencyStaleOK lets any replica answer from its own state.
	ConsistencyStaleOK
)

// String returns the level's name in the primary vocabulary.
func (l ConsistencyLevel) String() string {
	switch l {
	case ConsistencyLease:
		return "lease"
	case ConsistencyLinearizable:
		return "linearizable"
	case ConsistencyStaleOK:
		return "stale_ok"
	}
	return "unknown"
}

// wire returns the consistency string sent to a node: the primary vocabulary
// (lease/linearizable/stale_ok) or, for nodes that rejected it, the other one
// (""/strong/eventual).
func (l ConsistencyLevel) wire(alt bool) string {
	switch l {
	case ConsistencyLinearizable:
		if alt {
			return "strong"
		}
		return "linearizable"
	case ConsistencyStaleOK:
		if alt {
			return "eventual"
		}
		return "stale_ok"
	}
	if alt {
		return ""
	}
	return "lease"
}

// PutOptions tunes Put. A nil *PutOptions means no TTL, a generated
// idempotency key and no compare-and-swap.
type PutOptions struct {
	// TTL makes the key expire this long after the write; 0 means never.
	TTL time.Duration
	// IdempotencyKey makes the write apply at most once; generated when empty.
	IdempotencyKey string
	// IfMatchVersion turns the put into a compare-and-swap against this version.
	IfMatchVersion *Version
}

// GetOptions tunes Get.
type GetOptions struct {
	Consistency ConsistencyLevel
}

// DeleteOptions tunes Delete.
type DeleteOptions struct {
	// IdempotencyKey makes the delete apply at most once; generated when empty.
	IdempotencyKey string
	// IfMatchVersion makes the delete conditional on this version.
	IfMatchVersion *Version
}

// GetResult is a value read by Get.
type GetResult struct {
	Value   []byte
	Version Version
	// Meta is server metadata: expires_at_ms (when a TTL is set), shard, served_by.
	Meta map[string]string
}

// ExpiresAt returns the expiry time from Meta, or the zero time without a TTL.
func (r *GetResult) ExpiresAt() time.Time {
	if r == nil || r.Meta == nil {
		return time.Time{}
	}
	ms, ok := parseUint(r.Meta["expires_at_ms"])
	if !ok || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

func parseUint(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
