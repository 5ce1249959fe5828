package client

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrKeyNotFound: the key (or vector index) does not exist or has expired.
	ErrKeyNotFound = errors.New("norikv: key not found")
	// ErrAlreadyExists: the object exists with a different definition.
	ErrAlreadyExists = errors.New("norikv: already exists")
	// ErrClosed: the client was closed; create a new one.
	ErrClosed = errors.New("norikv: client closed")
	// ErrUnsupported: the server does not implement this call (UNIMPLEMENTED),
	// typically an upstream NoriKV server without the console extension.
	ErrUnsupported = errors.New("norikv: not supported by this server")
	// ErrNoLeader: a shard had no reachable leader for the whole retry
	// budget, typically while an election is in progress; retry later.
	// Returned wrapped in a *NoLeaderError.
	ErrNoLeader = errors.New("norikv: no leader")
	// ErrInvalidArgument: the request broke a documented limit or was
	// otherwise malformed (checked by the client before sending, or refused
	// by the server); fix the request, retrying will not help. Returned
	// wrapped in an *InvalidArgumentError.
	ErrInvalidArgument = errors.New("norikv: invalid argument")
)

// Error is any error answered by a server, or raised by the client for bad
// input (code InvalidArgument) or an expired context (Canceled or
// DeadlineExceeded; it then also matches context.Canceled or
// context.DeadlineExceeded).
type Error struct {
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the server's (or client's) description.
	Message string
	// Op names the client call that failed, e.g. "put".
	Op string

	cause error // sentinel or context error this error also matches
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("norikv: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Code.String())
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the sentinel or context error e also stands for, if any.
func (e *Error) Unwrap() error { return e.cause }

// GRPCStatus lets status.FromError/status.Code see the original code.
func (e *Error) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// VersionMismatchError is a failed compare-and-swap. Current is nil when the
// server did not say it, or when the key does not exist (then the error also
// matches ErrKeyNotFound).
type VersionMismatchError struct {
	Expected *Version
	Current  *Version
	// KeyMissing is true when the compare failed because the key does not exist.
	KeyMissing bool
	err        *Error
}

func (e *VersionMismatchError) Error() string {
	if e.KeyMissing {
		return fmt.Sprintf("norikv: %s: version mismatch: key does not exist (expected %s); re-read the key before retrying", e.err.Op, fmtVersion(e.Expected))
	}
	return fmt.Sprintf("norikv: %s: version mismatch: expected %s, current %s; re-read the key before retrying", e.err.Op, fmtVersion(e.Expected), fmtVersion(e.Current))
}

// Unwrap returns the underlying *Error (code FailedPrecondition).
func (e *VersionMismatchError) Unwrap() error { return e.err }

// Is makes a compare against a missing key match ErrKeyNotFound.
func (e *VersionMismatchError) Is(target error) bool {
	return target == ErrKeyNotFound && e.KeyMissing
}

func fmtVersion(v *Version) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf("term=%d index=%d", v.Term, v.Index)
}

// ConnectionError means no node could be reached (or the last one tried
// failed at the transport level) before the retry budget or the context ran
// out. Addr is the last address tried.
type ConnectionError struct {
	Addr string
	err  *Error
}

func (e *ConnectionError) Error() string {
	if errors.Is(e.err, ErrTLS) {
		return fmt.Sprintf("norikv: connection to %s failed: %v (check Config.TLS)", e.Addr, e.err.Message)
	}
	return fmt.Sprintf("norikv: connection to %s failed: %v (check the node is up and Config.Nodes)", e.Addr, e.err.Message)
}

// Unwrap returns the underlying *Error (usually code Unavailable).
func (e *ConnectionError) Unwrap() error { return e.err }

// NoLeaderError means the call ran out of attempts while the shard's nodes
// answered NOT_LEADER without naming a reachable leader: an election is
// probably in progress. It matches ErrNoLeader and unwraps to an *Error with
// code Unavailable.
type NoLeaderError struct {
	// Shard is the shard that had no leader (-1 for a call not routed by shard).
	Shard int
	// LastHint is the last leader hint received ("" when none was given);
	// it named a node that could not be reached, or was the node itself.
	LastHint string
	// Addr is the last address tried.
	Addr string
	// Attempts is how many attempts the call made.
	Attempts int
	// HintedLeaderErr is why the attempts at the leader the other nodes
	// named failed ("" when none was made or none failed): the shard has
	// a leader this client cannot reach (it refuses connections, is hung,
	// or is cut off from here), not an election.
	HintedLeaderErr string
	err             *Error
}

func (e *NoLeaderError) Error() string {
	if e.HintedLeaderErr != "" {
		return fmt.Sprintf("norikv: %s: no reachable leader for shard %d after %d attempts: the other nodes name %s "+
			"as its leader, and it could not be reached (%s); that node's log says why (e.g. too many open "+
			"connections), or retry later", e.err.Op, e.Shard, e.Attempts, e.LastHint, e.HintedLeaderErr)
	}
	hint := "no leader hint"
	if e.LastHint != "" {
		hint = "last hint " + e.LastHint
	}
	return fmt.Sprintf("norikv: %s: no leader for shard %d after %d attempts (%s, last node %s): "+
		"an election is probably in progress; retry later", e.err.Op, e.Shard, e.Attempts, hint, e.Addr)
}

// Unwrap returns the underlying *Error (code Unavailable).
func (e *NoLeaderError) Unwrap() error { return e.err }

// Is makes the error match ErrNoLeader.
func (e *NoLeaderError) Is(target error) bool { return target == ErrNoLeader }

// InvalidArgumentError is a request the client refused to send, or the
// server refused, because it broke a limit or was malformed. It matches
// ErrInvalidArgument and unwraps to an *Error with code InvalidArgument.
type InvalidArgumentError struct {
	// Op names the client call, e.g. "put".
	Op string
	// Message says what was wrong and what to do.
	Message string
	// Local is true when the client caught it before sending.
	Local bool
	err   *Error
}

func (e *InvalidArgumentError) Error() string { return e.err.Error() }

// Unwrap returns the underlying *Error (code InvalidArgument).
func (e *InvalidArgumentError) Unwrap() error { return e.err }

// Is makes the error match ErrInvalidArgument.
func (e *InvalidArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

// newInvalidArgument builds the typed error for a bad request.
func newInvalidArgument(op, msg string, local bool) *InvalidArgumentError {
	return &InvalidArgumentError{Op: op, Message: msg, Local: local, err: newError(op, codes.InvalidArgument, msg, ErrInvalidArgument)}
}

// newError builds an *Error for op.
func newError(op string, code codes.Code, msg string, cause error) *Error {
	return &Error{Op: op, Code: code, Message: msg, cause: cause}
}

// invalidArg is the error for bad input detected by the client.
func invalidArg(op, format string, args ...any) error {
	return newInvalidArgument(op, fmt.Sprintf(format, args...), true)
}

// ctxError wraps a context error so it is both an *Error and the context error.
func ctxError(op string, err error) error {
	code := codes.Canceled
	if errors.Is(err, context.DeadlineExceeded) {
		code = codes.DeadlineExceeded
	}
	return newError(op, code, err.Error(), err)
}

// errorFromStatus maps a final gRPC status to the client's typed errors.
// ifMatch is the compare-and-swap version of the request, if any.
func errorFromStatus(op string, st *status.Status, addr string, ifMatch *Version) error {
	msg := st.Message()
	switch st.Code() {
	case codes.NotFound:
		return newError(op, codes.NotFound, msg, ErrKeyNotFound)
	case codes.AlreadyExists:
		return newError(op, codes.AlreadyExists, msg, ErrAlreadyExists)
	case codes.Unimplemented:
		return newError(op, codes.Unimplemented, msg, ErrUnsupported)
	case codes.InvalidArgument:
		return newInvalidArgument(op, msg, false)
	case codes.ResourceExhausted:
		return newError(op, codes.ResourceExhausted, msg+" (not retried: the request is too large or the server is "+
			"over a limit; shrink the request or slow down)", nil)
	case codes.FailedPrecondition:
		if vm := parseVersionMismatch(op, msg, ifMatch); vm != nil {
			return vm
		}
	case codes.Unavailable:
		return &ConnectionError{Addr: addr, err: newError(op, codes.Unavailable, msg, nil)}
	}
	return newError(op, st.Code(), msg, nil)
}

// ErrorFromStatus returns the error a call of op gets when a server's final
// answer is st (ifMatch: the request's compare-and-swap version, if any),
// built exactly as for a real answer. It is for in-process fakes of a
// server, so callers' tests see the client's own typed errors.
func ErrorFromStatus(op string, st *status.Status, ifMatch *Version) error {
	return errorFromStatus(op, st, "", ifMatch)
}

// parseVersionMismatch recognises the compare-and-swap failures of PROTOCOL §4:
// "version mismatch: expected term=T index=I, current term=T2 index=I2" and
// "key does not exist".
func parseVersionMismatch(op, msg string, ifMatch *Version) *VersionMismatchError {
	lower := strings.ToLower(msg)
	base := newError(op, codes.FailedPrecondition, msg, nil)
	if strings.Contains(lower, "key does not exist") {
		return &VersionMismatchError{Expected: ifMatch, KeyMissing: true, err: base}
	}
	if !strings.Contains(lower, "version mismatch") {
		return nil
	}
	vm := &VersionMismatchError{Expected: ifMatch, err: base}
	if i := strings.Index(lower, "expected"); i >= 0 {
		if v, ok := scanVersion(lower[i:]); ok {
			vm.Expected = &v
		}
	}
	if i := strings.Index(lower, "current"); i >= 0 {
		if v, ok := scanVersion(lower[i:]); ok {
			vm.Current = &v
		}
	}
	return vm
}

// scanVersion reads "term=T index=I" from the start of s (after a label).
func scanVersion(s string) (Version, bool) {
	var v Version
	ti := strings.Index(s, "term=")
	ii := strings.Index(s, "index=")
	if ti < 0 || ii < 0 {
		return v, false
	}
	t, ok1 := parseUint(leadingDigits(s[ti+5:]))
	x, ok2 := parseUint(leadingDigits(s[ii+6:]))
	if !ok1 || !ok2 {
		return v, false
	}
	return Version{Term: t, Index: x}, true
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
