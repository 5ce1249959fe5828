package vectorindex

import "errors"

// Sentinel errors, matched with errors.Is. Returned errors wrap them with the
// offending values.
var (
	// ErrInvalidConfig reports a Config that cannot describe an index.
	ErrInvalidConfig = errors.New("invalid vector index config")
	// ErrDimension reports a vector or query whose length differs from the
	// index's dimensions.
	ErrDimension = errors.New("wrong vector dimension")
	// ErrNotFinite reports a vector or query holding NaN or ±Inf.
	ErrNotFinite = errors.New("vector holds NaN or Inf")
	// ErrInvalidID reports an empty or oversized vector id.
	ErrInvalidID = errors.New("invalid vector id")
	// ErrInvalidK reports a search k outside 1..MaxK.
	ErrInvalidK = errors.New("invalid k")
	// ErrFull reports an index that has no slot left (2^31-1 vectors).
	ErrFull = errors.New("vector index full")
	// ErrClosed reports a write to an index that was closed (dropped or
	// replaced).
	ErrClosed = errors.New("vector index closed")
	// ErrCorruptSnapshot reports a snapshot that cannot be decoded.
	ErrCorruptSnapshot = errors.New("corrupt vector index snapshot")
)

// MaxIDBytes is the longest vector id, in bytes (PROTOCOL.md §4).
const MaxIDBytes = 512
