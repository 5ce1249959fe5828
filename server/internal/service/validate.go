package service

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/norikv/norikv-console/server/internal/node"
)

// Limits from PROTOCOL.md §4, plus our own bounds on fields it leaves open.
const (
	MaxKeyBytes     = 1024
	MaxValueBytes   = 1 << 20
	MaxIdemKeyBytes = 512
	MaxTTLMs        = uint64(100 * 365 * 24 * 3600 * 1000) // 100 years
	MaxScanLimit    = 10000
	DefaultScanSize = 100
	DefaultPreview  = 256
	// MaxScanReplyBytes bounds one Scan page (keys plus value previews);
	// a fuller page ends early with a cursor. Under 4 MiB, so even a gRPC
	// client with default limits can receive any page.
	MaxScanReplyBytes = 3 << 20
)

func invalid(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

func checkKey(key []byte) error {
	switch {
	case len(key) == 0:
		return invalid("key is empty: keys must be 1..%d bytes", MaxKeyBytes)
	case len(key) > MaxKeyBytes:
		return invalid("key is %d bytes, over the key limit of %d bytes", len(key), MaxKeyBytes)
	}
	return nil
}

func checkValue(v []byte) error {
	if len(v) > MaxValueBytes {
		return invalid("value is %d bytes, over the value limit of 1 MiB (%d bytes)", len(v), MaxValueBytes)
	}
	return nil
}

func checkIdemKey(k string) error {
	if len(k) > MaxIdemKeyBytes {
		return invalid("idempotency_key is %d bytes, over the idempotency key limit of %d bytes", len(k), MaxIdemKeyBytes)
	}
	return nil
}

func checkTTL(ttl uint64) error {
	if ttl > MaxTTLMs {
		return invalid("ttl_ms %d is over the TTL limit of %d ms (100 years)", ttl, MaxTTLMs)
	}
	return nil
}

// parseConsistency accepts both vocabularies of PROTOCOL.md §4.
func parseConsistency(s string) (node.Consistency, error) {
	switch s {
	case "", "lease":
		return node.Lease, nil
	case "linearizable", "strong":
		return node.Linearizable, nil
	case "stale_ok", "eventual", "bounded_staleness":
		return node.Stale, nil
	}
	return 0, invalid("unknown consistency level: %s", s)
}

func checkShard(id uint32, total int) error {
	if int64(id) >= int64(total) {
		return status.Errorf(codes.NotFound, "shard %d not found: this cluster has shards 0..%d", id, total-1)
	}
	return nil
}
