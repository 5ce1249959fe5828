package kvstore

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// CommandType tags every replicated command. New kinds (vector operations)
// take new tags; an FSM meeting a tag it does not know answers an error
// result instead of failing, so mixed builds never crash a replica.
type CommandType byte

// Command tags. Values are part of the on-disk log format: never renumber.
const (
	CmdPut    CommandType = 1
	CmdDelete CommandType = 2
	CmdExpire CommandType = 3
	// CmdIdemClaim records, in the group that owns an idempotency key, the
	// operation (Value[0]) and scope (Key) of a write that another group
	// applies, so that reusing the key for another write anywhere in the
	// cluster is refused.
	CmdIdemClaim CommandType = 4
	// CmdExtension and every tag above it carry a payload for the FSM's
	// Extension (vector indexes). Each extension operation has its own tag
	// so that idempotency records are scoped to the operation.
	CmdExtension CommandType = 16
	// CmdVecCreate creates a vector index (Key: namespace).
	CmdVecCreate CommandType = 17
	// CmdVecDrop drops a vector index (Key: namespace).
	CmdVecDrop CommandType = 18
	// CmdVecInsert upserts one vector (Key: namespace, 0, id).
	CmdVecInsert CommandType = 19
	// CmdVecDelete deletes one vector (Key: namespace, 0, id).
	CmdVecDelete CommandType = 20
	// CmdVecInsertBatch upserts many vectors of one namespace in one log
	// entry (Key: namespace scope and a digest of the items; Payload: the
	// items, see vectorstore.InsertBatchCommand).
	CmdVecInsertBatch CommandType = 21
)

// IsExtension reports whether t is applied by the FSM's Extension.
func (t CommandType) IsExtension() bool { return t >= CmdExtension }

// Version is the {term, index} of the log entry that wrote a value.
type Version struct{ Term, Index uint64 }

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v.Term == 0 && v.Index == 0 }

// ExpireEntry names one key the leader found expired, with the version it saw.
type ExpireEntry struct {
	Key     []byte
	Version Version
}

// Command is one replicated write. NowMs is the proposing leader's clock,
// so every replica decides idempotency retention and expiry identically.
type Command struct {
	Type        CommandType
	NowMs       int64
	Key         []byte
	Value       []byte
	ExpiresAtMs int64 // absolute, 0 = no TTL (fixed by the leader at propose time)
	IdemKey     string
	IfMatch     *Version
	Expired     []ExpireEntry
	Payload     []byte // extension commands only
}

// Encode serializes c: tag byte, then fields in a fixed order.
func (c *Command) Encode() []byte {
	b := make([]byte, 0, 32+len(c.Key)+len(c.Value)+len(c.IdemKey)+len(c.Payload))
	b = append(b, byte(c.Type))
	b = binary.AppendVarint(b, c.NowMs)
	b = appendBytes(b, c.Key)
	b = appendBytes(b, c.Value)
	b = binary.AppendVarint(b, c.ExpiresAtMs)
	b = appendBytes(b, []byte(c.IdemKey))
	if c.IfMatch != nil {
		b = append(b, 1)
		b = binary.AppendUvarint(b, c.IfMatch.Term)
		b = binary.AppendUvarint(b, c.IfMatch.Index)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(c.Expired)))
	for _, e := range c.Expired {
		b = appendBytes(b, e.Key)
		b = binary.AppendUvarint(b, e.Version.Term)
		b = binary.AppendUvarint(b, e.Version.Index)
	}
	return appendBytes(b, c.Payload)
}

// DecodeCommand parses what Encode produced.
func DecodeCommand(b []byte) (*Command, error) {
	c := new(Command)
	if err := decodeCommandInto(c, b); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeCommandInto is DecodeCommand into a Command the caller provides
// (the FSM decodes a batch's commands into one). Every field of c is
// overwritten; c keeps nothing of b but Expired keys and Payload, which
// are copies, and Key and Value, which share one new allocation.
func decodeCommandInto(c *Command, b []byte) error {
	if len(b) == 0 {
		return errors.New("empty command")
	}
	r := &reader{b: b[1:]}
	*c = Command{Type: CommandType(b[0])}
	c.NowMs = r.varint()
	// Key and value share one copy (an applied Put keeps both for as long
	// as the item lives), and the idempotency key is copied once, straight
	// into its string: this runs on every replica for every write.
	key, value := r.view(), r.view()
	kv := make([]byte, len(key)+len(value))
	copy(kv, key)
	copy(kv[len(key):], value)
	c.Key, c.Value = kv[:len(key):len(key)], kv[len(key):]
	c.ExpiresAtMs = r.varint()
	c.IdemKey = string(r.view())
	if r.byte1() == 1 {
		c.IfMatch = &Version{Term: r.uvarint(), Index: r.uvarint()}
	}
	n := r.uvarint()
	if n > uint64(len(b)) {
		return fmt.Errorf("command claims %d expired keys in %d bytes", n, len(b))
	}
	for i := uint64(0); i < n; i++ {
		c.Expired = append(c.Expired, ExpireEntry{Key: r.bytes(), Version: Version{Term: r.uvarint(), Index: r.uvarint()}})
	}
	c.Payload = r.bytes()
	if r.err != nil {
		return fmt.Errorf("decode command type %d: %w", c.Type, r.err)
	}
	return nil
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// reader decodes varints and length-prefixed bytes, remembering the first error.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated input")

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte1() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) bytes() []byte {
	v := r.view()
	if r.err != nil {
		return nil
	}
	return append(make([]byte, 0, len(v)), v...)
}

// view returns the next length-prefixed bytes without copying them: the
// result aliases the input and must be copied before it is kept.
func (r *reader) view() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
