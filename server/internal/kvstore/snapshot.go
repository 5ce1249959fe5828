package kvstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/raft"
)

// Snapshot magics: version 2 added the Flag of idempotency records; version
// 1 snapshots are still read.
const (
	snapshotMagic   = "NKVSNAP2"
	snapshotMagicV1 = "NKVSNAP1"
)

// Snapshot captures the state at this point of the log. The B-trees are
// cloned copy-on-write, so Persist can stream them while Apply continues.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	// The write lock: Clone writes the trees' copy-on-write contexts.
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &snapshot{t: f.t.clone(), idem: f.idem.records()}
	if f.opts.Extension != nil {
		w, err := f.opts.Extension.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("snapshot extension state: %w", err)
		}
		s.ext = w
	}
	return s, nil
}

type snapshot struct {
	t    tables
	idem []*idemRecord
	ext  func(w io.Writer) error // nil without an extension
}

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriterSize(sink, 1<<16)
	err := s.write(w)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist snapshot: %w", err)
	}
	return sink.Close()
}

func (s *snapshot) Release() {}

func (s *snapshot) write(w *bufio.Writer) error {
	var buf []byte
	flush := func() error {
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendUvarint(buf, uint64(s.t.items.Len()))
	var err error
	s.t.items.Ascend(func(it *Item) bool {
		buf = appendBytes(buf, it.Key)
		buf = appendBytes(buf, it.Value)
		buf = binary.AppendUvarint(buf, it.Version.Term)
		buf = binary.AppendUvarint(buf, it.Version.Index)
		buf = binary.AppendVarint(buf, it.ExpiresAtMs)
		buf = binary.AppendUvarint(buf, uint64(it.Shard))
		err = flush()
		return err == nil
	})
	if err != nil {
		return err
	}
	buf = binary.AppendUvarint(buf, uint64(len(s.idem)))
	for _, r := range s.idem {
		buf = appendBytes(buf, []byte(r.idemKey))
		buf = append(buf, byte(r.op))
		buf = appendBytes(buf, []byte(r.key))
		buf = binary.AppendVarint(buf, r.createdMs)
		buf = binary.AppendUvarint(buf, uint64(r.result.Outcome))
		buf = appendBytes(buf, []byte(r.result.Message))
		buf = binary.AppendUvarint(buf, r.result.Version.Term)
		buf = binary.AppendUvarint(buf, r.result.Version.Index)
		if r.result.Tombstoned {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
		buf = binary.AppendVarint(buf, r.result.ExpiresAtMs)
		buf = append(buf, boolByte(r.result.Flag))
		if err := flush(); err != nil {
			return err
		}
	}
	hasExt := byte(0)
	if s.ext != nil {
		hasExt = 1
	}
	buf = append(buf, hasExt)
	if err := flush(); err != nil {
		return err
	}
	if s.ext != nil {
		return s.ext(w)
	}
	return nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Restore replaces the whole state with a snapshot's.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	r := &streamReader{r: bufio.NewReaderSize(rc, 1<<16)}
	magic := r.fixed(len(snapshotMagic))
	v1 := string(magic) == snapshotMagicV1
	if r.err == nil && string(magic) != snapshotMagic && !v1 {
		return errors.New("restore snapshot: not a key-value snapshot")
	}
	t := newTables()
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		it := &Item{Key: r.bytes(), Value: r.bytes()}
		it.Version = Version{Term: r.uvarint(), Index: r.uvarint()}
		it.ExpiresAtMs = r.varint()
		it.Shard = uint32(r.uvarint())
		t.put(it)
	}
	idem := newIdemTable()
	n = r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		rec := &idemRecord{idemKey: string(r.bytes())}
		rec.op = CommandType(r.fixed(1)[0])
		rec.key = string(r.bytes())
		rec.createdMs = r.varint()
		rec.result.Outcome = Outcome(r.uvarint())
		rec.result.Message = string(r.bytes())
		rec.result.Version = Version{Term: r.uvarint(), Index: r.uvarint()}
		rec.result.Tombstoned = r.fixed(1)[0] == 1
		rec.result.ExpiresAtMs = r.varint()
		if !v1 {
			rec.result.Flag = r.fixed(1)[0] == 1
		}
		idem.add(rec)
	}
	hasExt := r.fixed(1)
	if r.err != nil {
		return fmt.Errorf("restore snapshot: %w", r.err)
	}
	if hasExt[0] == 1 {
		if f.opts.Extension == nil {
			return errors.New("restore snapshot: it holds extension state but this build has no extension")
		}
		if err := f.opts.Extension.Restore(r.r); err != nil {
			return fmt.Errorf("restore snapshot extension: %w", err)
		}
	} else if f.opts.Extension != nil {
		f.opts.Extension.Reset()
	}
	f.mu.Lock()
	f.t, f.idem = t, idem
	f.mu.Unlock()
	return nil
}

// streamReader decodes the snapshot stream, remembering the first error.
type streamReader struct {
	r   *bufio.Reader
	err error
}

func (s *streamReader) uvarint() uint64 {
	if s.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(s.r)
	s.err = err
	return v
}

func (s *streamReader) varint() int64 {
	if s.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(s.r)
	s.err = err
	return v
}

func (s *streamReader) fixed(n int) []byte {
	b := make([]byte, n)
	if s.err != nil {
		return b
	}
	_, s.err = io.ReadFull(s.r, b)
	return b
}

func (s *streamReader) bytes() []byte {
	n := s.uvarint()
	if s.err != nil {
		return nil
	}
	if n > 64<<20 {
		s.err = fmt.Errorf("snapshot field of %d bytes is implausible", n)
		return nil
	}
	return s.fixed(int(n))
}
