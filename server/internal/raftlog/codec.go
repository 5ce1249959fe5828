package raftlog

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
)

// Key layout: kind byte, name length byte, name, then the log index (8
// bytes big-endian, so keys sort by index) or the stable key. The length
// byte keeps one group's range from covering another's ("g1" vs "g10").
const (
	kindLog    byte = 'l'
	kindStable byte = 's'
)

func prefix(kind byte, name string) []byte {
	p := make([]byte, 0, 2+len(name))
	p = append(p, kind, byte(len(name)))
	return append(p, name...)
}

// logKey appends the key of index to the group's log prefix.
func logKey(dst, logPrefix []byte, index uint64) []byte {
	dst = append(dst[:0], logPrefix...)
	return binary.BigEndian.AppendUint64(dst, index)
}

// Log entry value: term, type, appended-at (unix ns), then data and
// extensions, each with a uvarint length. The index is in the key.
func encodeLog(dst []byte, l *raft.Log) []byte {
	dst = binary.BigEndian.AppendUint64(dst[:0], l.Term)
	dst = append(dst, byte(l.Type))
	var at int64
	if !l.AppendedAt.IsZero() {
		at = l.AppendedAt.UnixNano()
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(at))
	dst = binary.AppendUvarint(dst, uint64(len(l.Data)))
	dst = append(dst, l.Data...)
	dst = binary.AppendUvarint(dst, uint64(len(l.Extensions)))
	return append(dst, l.Extensions...)
}

// decodeLog fills l from v, copying the bytes (v belongs to the engine).
func decodeLog(index uint64, v []byte, l *raft.Log) error {
	if len(v) < 17 {
		return fmt.Errorf("raftlog: entry %d is %d bytes, too short to decode (corrupt log?)", index, len(v))
	}
	l.Index = index
	l.Term = binary.BigEndian.Uint64(v)
	l.Type = raft.LogType(v[8])
	l.AppendedAt = time.Time{}
	if at := int64(binary.BigEndian.Uint64(v[9:])); at != 0 {
		l.AppendedAt = time.Unix(0, at)
	}
	rest := v[17:]
	data, rest, err := readBytes(rest)
	if err != nil {
		return fmt.Errorf("raftlog: entry %d data: %w", index, err)
	}
	ext, _, err := readBytes(rest)
	if err != nil {
		return fmt.Errorf("raftlog: entry %d extensions: %w", index, err)
	}
	l.Data, l.Extensions = data, ext
	return nil
}

func readBytes(v []byte) (out, rest []byte, err error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return nil, nil, fmt.Errorf("bad length (corrupt log?)")
	}
	if n == 0 {
		return nil, v[w:], nil
	}
	out = make([]byte, n)
	copy(out, v[w:w+int(n)])
	return out, v[w+int(n):], nil
}
