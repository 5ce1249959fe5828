package transport

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hashicorp/raft"
)

// Wire format of coalesced heartbeats (one frame each way, see writeFrame):
//
//	request:  version(1) count(uvarint) { channel(uvarint) term(uvarint)
//	          protocol(varint) id(bytes) addr(bytes) leader(bytes) }*
//	reply:    version(1) count(uvarint) { 0 protocol(varint) id(bytes)
//	          addr(bytes) term(uvarint) lastLog(uvarint) flags(1) | 1 error(bytes) }*
//
// bytes is a uvarint length and the bytes. A request carries only the
// fields a Raft heartbeat has (isHeartbeat): the rest are zero by definition.
const hbVersion = 1

// maxHeartbeatItems bounds the heartbeats one frame may carry (a node
// holds at most a few hundred groups).
const maxHeartbeatItems = 1 << 16

var errHBMalformed = errors.New("malformed heartbeat frame")

// isHeartbeat reports whether args is a Raft heartbeat, with the same test
// hashicorp/raft's NetworkTransport uses for its heartbeat fast path.
func isHeartbeat(args *raft.AppendEntriesRequest) bool {
	//lint:ignore SA1019 the deprecated Leader still names the leader for older nodes, as raft sets it
	return args.Term != 0 && (args.Addr != nil || args.Leader != nil) &&
		args.PrevLogEntry == 0 && args.PrevLogTerm == 0 &&
		len(args.Entries) == 0 && args.LeaderCommitIndex == 0
}

// hbItem is one group's heartbeat in a frame.
type hbItem struct {
	channel uint32
	req     raft.AppendEntriesRequest
}

// hbAnswer is one group's reply in a frame: a response or an error.
type hbAnswer struct {
	resp raft.AppendEntriesResponse
	err  string
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func encodeHeartbeats(items []hbItem) []byte {
	b := []byte{hbVersion}
	b = binary.AppendUvarint(b, uint64(len(items)))
	for _, it := range items {
		b = binary.AppendUvarint(b, uint64(it.channel))
		b = binary.AppendUvarint(b, it.req.Term)
		b = binary.AppendVarint(b, int64(it.req.ProtocolVersion))
		b = appendBytes(b, it.req.ID)
		b = appendBytes(b, it.req.Addr)
		//lint:ignore SA1019 carried as raft sets it (older nodes read it)
		b = appendBytes(b, it.req.Leader)
	}
	return b
}

func encodeAnswers(answers []hbAnswer) []byte {
	b := []byte{hbVersion}
	b = binary.AppendUvarint(b, uint64(len(answers)))
	for _, a := range answers {
		if a.err != "" {
			b = append(b, 1)
			b = appendBytes(b, []byte(a.err))
			continue
		}
		r := a.resp
		b = append(b, 0)
		b = binary.AppendVarint(b, int64(r.ProtocolVersion))
		b = appendBytes(b, r.ID)
		b = appendBytes(b, r.Addr)
		b = binary.AppendUvarint(b, r.Term)
		b = binary.AppendUvarint(b, r.LastLog)
		var flags byte
		if r.Success {
			flags |= 1
		}
		if r.NoRetryBackoff {
			flags |= 2
		}
		b = append(b, flags)
	}
	return b
}

// hbReader decodes a frame; the first error sticks and ends decoding.
type hbReader struct {
	b   []byte
	err error
}

func (r *hbReader) fail() {
	if r.err == nil {
		r.err = errHBMalformed
	}
	r.b = nil
}

func (r *hbReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *hbReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *hbReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

// bytes returns a copy (nil for an empty field, as raft leaves unset ones).
func (r *hbReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	v := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return v
}

// header checks the version and returns the item count.
func (r *hbReader) header() int {
	if v := r.byte(); r.err == nil && v != hbVersion {
		r.err = fmt.Errorf("heartbeat frame version %d, this node speaks %d", v, hbVersion)
		return 0
	}
	n := r.uvarint()
	if r.err == nil && n > maxHeartbeatItems {
		r.err = fmt.Errorf("heartbeat frame of %d items exceeds %d", n, maxHeartbeatItems)
		return 0
	}
	return int(n)
}

func (r *hbReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

func decodeHeartbeats(b []byte) ([]hbItem, error) {
	r := &hbReader{b: b}
	n := r.header()
	items := make([]hbItem, 0, min(n, 64))
	for i := 0; i < n && r.err == nil; i++ {
		ch := r.uvarint()
		if ch > 0xFFFFFFFF {
			r.fail()
		}
		var it hbItem
		it.channel = uint32(ch)
		it.req.Term = r.uvarint()
		it.req.ProtocolVersion = raft.ProtocolVersion(r.varint())
		it.req.ID = r.bytes()
		it.req.Addr = r.bytes()
		//lint:ignore SA1019 carried as raft sets it (older nodes read it)
		it.req.Leader = r.bytes()
		items = append(items, it)
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return items, nil
}

func decodeAnswers(b []byte) ([]hbAnswer, error) {
	r := &hbReader{b: b}
	n := r.header()
	answers := make([]hbAnswer, 0, min(n, 64))
	for i := 0; i < n && r.err == nil; i++ {
		var a hbAnswer
		switch r.byte() {
		case 0:
			a.resp.ProtocolVersion = raft.ProtocolVersion(r.varint())
			a.resp.ID = r.bytes()
			a.resp.Addr = r.bytes()
			a.resp.Term = r.uvarint()
			a.resp.LastLog = r.uvarint()
			flags := r.byte()
			a.resp.Success = flags&1 != 0
			a.resp.NoRetryBackoff = flags&2 != 0
		case 1:
			a.err = string(r.bytes())
			if a.err == "" {
				r.fail()
			}
		default:
			r.fail()
		}
		answers = append(answers, a)
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return answers, nil
}
