// NoriKV patch: a hand-written binary codec for the AppendEntries RPC pair.

package raft

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Why: at 64 concurrent writers the cores are saturated, and msgpack's
// reflection over AppendEntriesRequest/Response (one allocation per Log
// and per Data slice, type switches per field) was ~16% of a node's CPU.
// This codec writes the fields straight into the connection's bufio
// writer and decodes a request from one buffer: every entry's Data and
// Extensions are sub-slices of it, and the Logs share one array, so a
// request costs a fixed handful of allocations whatever its entry count.
//
// Ownership: the buffer is allocated per request and never reused, so the
// LogCache, the LogStore and the FSM may keep the slices (they do).
//
// Request body (after the rpcAppendEntriesBinary type byte and a uvarint
// body length):
//
//	varint ProtocolVersion, bytes ID, bytes Addr, uvarint Term,
//	bytes Leader, uvarint PrevLogEntry, uvarint PrevLogTerm,
//	uvarint LeaderCommitIndex, uvarint entry count, then per entry:
//	uvarint Index, uvarint Term, byte Type, bytes Data, bytes Extensions,
//	time AppendedAt
//
// "bytes" is uvarint(len+1) then the bytes, 0 for a nil slice (so nil and
// empty survive the round trip); "time" is a byte 0 for the zero time, or
// 1 then varint Unix seconds and uvarint nanoseconds.
//
// Response (no length prefix, it is small): bytes error string (nil when
// none), varint ProtocolVersion, bytes ID, bytes Addr, uvarint Term,
// uvarint LastLog, byte flags (1 Success, 2 NoRetryBackoff).

// maxAEBody bounds the body length a peer may announce: a garbled length
// gets an error instead of a huge allocation. Entries carry values up to
// a few MiB and raft sends at most MaxAppendEntries (64 by default) of them.
const maxAEBody = 1 << 30

// aeReadChunk is how much of a large body is allocated before its bytes
// arrive, so a garbled length on a short stream costs little.
const aeReadChunk = 1 << 20

var errAETruncated = errors.New("binary AppendEntries: truncated body")

func appendAEBytes(b []byte, p []byte) []byte {
	if p == nil {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(p))+1)
	return append(b, p...)
}

func aeBytesSize(p []byte) int {
	if p == nil {
		return 1
	}
	return uvarintSize(uint64(len(p))+1) + len(p)
}

func uvarintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func varintSize(v int64) int {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	return uvarintSize(u)
}

func appendAETime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func aeTimeSize(t time.Time) int {
	if t.IsZero() {
		return 1
	}
	return 1 + varintSize(t.Unix()) + uvarintSize(uint64(t.Nanosecond()))
}

// aeHeaderSize is the encoded size of everything before the entries.
func aeHeaderSize(a *AppendEntriesRequest) int {
	return varintSize(int64(a.ProtocolVersion)) + aeBytesSize(a.ID) + aeBytesSize(a.Addr) +
		uvarintSize(a.Term) + aeBytesSize(a.Leader) + uvarintSize(a.PrevLogEntry) +
		uvarintSize(a.PrevLogTerm) + uvarintSize(a.LeaderCommitIndex) + uvarintSize(uint64(len(a.Entries)))
}

// aeEntryHeadSize is the encoded size of an entry without its Data and
// Extensions bytes (but with their length prefixes).
func aeEntryHeadSize(l *Log) int {
	return uvarintSize(l.Index) + uvarintSize(l.Term) + 1 + aeBytesSize(l.Data) - len(l.Data) +
		aeBytesSize(l.Extensions) - len(l.Extensions) + aeTimeSize(l.AppendedAt)
}

// writeAppendEntriesBinary writes the type byte and the request to w
// (without flushing). Data and Extensions go to w as they are: bufio
// copies small ones and writes large ones straight to the connection.
func writeAppendEntriesBinary(w *bufio.Writer, a *AppendEntriesRequest) error {
	size := aeHeaderSize(a)
	for _, l := range a.Entries {
		if l == nil {
			return errors.New("binary AppendEntries: nil entry")
		}
		size += aeEntryHeadSize(l) + len(l.Data) + len(l.Extensions)
	}
	if size > maxAEBody {
		return fmt.Errorf("binary AppendEntries: request of %d bytes exceeds the %d-byte limit", size, maxAEBody)
	}
	// Each piece is appended to the writer's free space and written at
	// once (bufio's AvailableBuffer idiom): no scratch array escapes to the
	// heap per request.
	b := append(w.AvailableBuffer(), rpcAppendEntriesBinary)
	b = binary.AppendUvarint(b, uint64(size))
	b = binary.AppendVarint(b, int64(a.ProtocolVersion))
	b = appendAEBytes(b, a.ID)
	b = appendAEBytes(b, a.Addr)
	b = binary.AppendUvarint(b, a.Term)
	b = appendAEBytes(b, a.Leader)
	b = binary.AppendUvarint(b, a.PrevLogEntry)
	b = binary.AppendUvarint(b, a.PrevLogTerm)
	b = binary.AppendUvarint(b, a.LeaderCommitIndex)
	b = binary.AppendUvarint(b, uint64(len(a.Entries)))
	if _, err := w.Write(b); err != nil {
		return err
	}
	for _, l := range a.Entries {
		b = binary.AppendUvarint(w.AvailableBuffer(), l.Index)
		b = binary.AppendUvarint(b, l.Term)
		b = append(b, byte(l.Type))
		b = aeLenPrefix(b, l.Data)
		if _, err := w.Write(b); err != nil {
			return err
		}
		if _, err := w.Write(l.Data); err != nil {
			return err
		}
		b = aeLenPrefix(w.AvailableBuffer(), l.Extensions)
		if _, err := w.Write(b); err != nil {
			return err
		}
		if _, err := w.Write(l.Extensions); err != nil {
			return err
		}
		if _, err := w.Write(appendAETime(w.AvailableBuffer(), l.AppendedAt)); err != nil {
			return err
		}
	}
	return nil
}

func aeLenPrefix(b []byte, p []byte) []byte {
	if p == nil {
		return binary.AppendUvarint(b, 0)
	}
	return binary.AppendUvarint(b, uint64(len(p))+1)
}

// readAppendEntriesBinary reads a request body (after its type byte).
func readAppendEntriesBinary(r *bufio.Reader) (*AppendEntriesRequest, error) {
	size, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("binary AppendEntries: body length: %w", err)
	}
	if size > maxAEBody {
		return nil, fmt.Errorf("binary AppendEntries: body of %d bytes exceeds the %d-byte limit", size, maxAEBody)
	}
	buf, err := readAEBody(r, int(size))
	if err != nil {
		return nil, err
	}
	return decodeAppendEntriesBinary(buf)
}

// readAEBody reads n bytes, allocating large bodies as they arrive.
func readAEBody(r io.Reader, n int) ([]byte, error) {
	if n <= aeReadChunk {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("binary AppendEntries: body: %w", err)
		}
		return buf, nil
	}
	buf := make([]byte, 0, aeReadChunk)
	for len(buf) < n {
		step := minInt(n-len(buf), aeReadChunk)
		if cap(buf)-len(buf) < step {
			grown := make([]byte, len(buf), minInt(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		if _, err := io.ReadFull(r, buf[len(buf):len(buf)+step]); err != nil {
			return nil, fmt.Errorf("binary AppendEntries: body: %w", err)
		}
		buf = buf[:len(buf)+step]
	}
	return buf, nil
}

// minInt: the package's min (util.go) takes uint64.
func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// aeDecoder reads fields from one body; the first error sticks.
type aeDecoder struct {
	buf []byte
	off int
	err error
}

func (d *aeDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *aeDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail(errAETruncated)
		return 0
	}
	d.off += n
	return v
}

func (d *aeDecoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.fail(errAETruncated)
		return 0
	}
	d.off += n
	return v
}

func (d *aeDecoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.fail(errAETruncated)
		return 0
	}
	c := d.buf[d.off]
	d.off++
	return c
}

// bytes returns a sub-slice of the body (capacity clipped, so an append
// by a keeper cannot write over the next field).
func (d *aeDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	n--
	if n > uint64(len(d.buf)-d.off) {
		d.fail(errAETruncated)
		return nil
	}
	p := d.buf[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return p
}

func (d *aeDecoder) time() time.Time {
	switch d.byte() {
	case 0:
		return time.Time{}
	case 1:
		sec := d.varint()
		nsec := d.uvarint()
		if nsec >= 1e9 {
			d.fail(fmt.Errorf("binary AppendEntries: bad nanoseconds %d", nsec))
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec))
	default:
		d.fail(errors.New("binary AppendEntries: bad time tag"))
		return time.Time{}
	}
}

// decodeAppendEntriesBinary decodes a request body; the entries' slices
// point into buf.
func decodeAppendEntriesBinary(buf []byte) (*AppendEntriesRequest, error) {
	d := &aeDecoder{buf: buf}
	a := &AppendEntriesRequest{}
	a.ProtocolVersion = ProtocolVersion(d.varint())
	a.ID = d.bytes()
	a.Addr = d.bytes()
	a.Term = d.uvarint()
	a.Leader = d.bytes()
	a.PrevLogEntry = d.uvarint()
	a.PrevLogTerm = d.uvarint()
	a.LeaderCommitIndex = d.uvarint()
	count := d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	// Every entry takes at least 6 bytes, so a count the body cannot hold
	// is garbage, not a reason to allocate.
	if count > uint64(len(buf)-d.off)/6 {
		return nil, fmt.Errorf("binary AppendEntries: %d entries cannot fit in %d bytes", count, len(buf)-d.off)
	}
	if count > 0 {
		logs := make([]Log, count)
		a.Entries = make([]*Log, count)
		for i := range logs {
			l := &logs[i]
			l.Index = d.uvarint()
			l.Term = d.uvarint()
			l.Type = LogType(d.byte())
			l.Data = d.bytes()
			l.Extensions = d.bytes()
			l.AppendedAt = d.time()
			a.Entries[i] = l
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.off != len(buf) {
		return nil, fmt.Errorf("binary AppendEntries: %d bytes after the last entry", len(buf)-d.off)
	}
	return a, nil
}

// writeAEResponseBinary writes an AppendEntries response (without flushing).
func writeAEResponseBinary(w *bufio.Writer, rpcErr error, resp *AppendEntriesResponse) error {
	b := w.AvailableBuffer() // see writeAppendEntriesBinary
	if rpcErr != nil {
		b = appendAEBytes(b, []byte(rpcErr.Error()))
	} else {
		b = append(b, 0)
	}
	if resp == nil {
		resp = &AppendEntriesResponse{}
	}
	b = binary.AppendVarint(b, int64(resp.ProtocolVersion))
	b = appendAEBytes(b, resp.ID)
	b = appendAEBytes(b, resp.Addr)
	b = binary.AppendUvarint(b, resp.Term)
	b = binary.AppendUvarint(b, resp.LastLog)
	var flags byte
	if resp.Success {
		flags |= 1
	}
	if resp.NoRetryBackoff {
		flags |= 2
	}
	b = append(b, flags)
	_, err := w.Write(b)
	return err
}

// maxAEResponseField bounds a response's error string, ID and Addr.
const maxAEResponseField = 1 << 16

func readAEField(r *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n == 0 {
		return nil, err
	}
	n--
	if n > maxAEResponseField {
		return nil, fmt.Errorf("binary AppendEntries response: field of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, err
	}
	return p, nil
}

// readAEResponseBinary reads a response into resp. The first error is
// the connection's (it is then unusable); the second the remote one.
func readAEResponseBinary(r *bufio.Reader, resp *AppendEntriesResponse) (connErr, rpcErr error) {
	msg, err := readAEField(r)
	if err != nil {
		return err, nil
	}
	pv, err := binary.ReadVarint(r)
	if err != nil {
		return err, nil
	}
	id, err := readAEField(r)
	if err != nil {
		return err, nil
	}
	addr, err := readAEField(r)
	if err != nil {
		return err, nil
	}
	term, err := binary.ReadUvarint(r)
	if err != nil {
		return err, nil
	}
	last, err := binary.ReadUvarint(r)
	if err != nil {
		return err, nil
	}
	flags, err := r.ReadByte()
	if err != nil {
		return err, nil
	}
	if flags&^3 != 0 {
		return fmt.Errorf("binary AppendEntries response: unknown flags %#x", flags), nil
	}
	*resp = AppendEntriesResponse{
		RPCHeader:      RPCHeader{ProtocolVersion: ProtocolVersion(pv), ID: id, Addr: addr},
		Term:           term,
		LastLog:        last,
		Success:        flags&1 != 0,
		NoRetryBackoff: flags&2 != 0,
	}
	if len(msg) > 0 {
		return nil, errors.New(string(msg))
	}
	return nil, nil
}
