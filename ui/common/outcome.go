package common

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"google.golang.org/grpc/codes"

	"github.com/norikv/norikv-console/client"
)

// OutcomeUnknown tells whether a write that failed after it was sent may
// still have been applied: anything but an answer refusing it (a failed
// compare-and-swap, a bad argument, a missing key, a full disk...). A
// timeout, a cancel, a node gone or an election under way leave it open:
// an earlier attempt may have reached a leader that committed it and whose
// answer was lost.
func OutcomeUnknown(err error) bool {
	var vm *client.VersionMismatchError
	if errors.As(err, &vm) || errors.Is(err, client.ErrInvalidArgument) || errors.Is(err, client.ErrKeyNotFound) ||
		errors.Is(err, client.ErrUnsupported) || errors.Is(err, client.ErrAlreadyExists) || errors.Is(err, client.ErrClosed) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		switch ce.Code {
		case codes.DeadlineExceeded, codes.Canceled, codes.Unavailable, codes.Unknown, codes.Internal, codes.Aborted:
			return true
		}
		return false // the server refused it (permission, full disk, failed precondition...)
	}
	return true // not an answer from a server: nothing says it was not applied
}

// NewIdempotencyKey returns a fresh idempotency key for one write made by
// the console or a shell command: kept with a write whose outcome is
// unknown, it lets the same write be sent again and apply at most once.
func NewIdempotencyKey() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails on the platforms Go supports
	return "norikv-console-" + hex.EncodeToString(b[:])
}
