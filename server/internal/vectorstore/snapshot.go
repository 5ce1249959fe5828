package vectorstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// Section format: "NVST" uvarint(count), then per index in namespace order:
// uvarint(len) namespace, and the index's own snapshot (vectorindex format,
// self-delimiting and checksummed).
const sectionMagic = "NVST"

// maxNamespace bounds a namespace read back from a snapshot.
const maxNamespace = 4096

// Snapshot clones every index now (Raft does not apply meanwhile) and
// returns a writer for the clones, so applying continues while they are
// written.
func (s *Store) Snapshot() (func(w io.Writer) error, error) {
	s.mu.RLock()
	names := make([]string, 0, len(s.indexes))
	for ns := range s.indexes {
		names = append(names, ns)
	}
	slices.Sort(names)
	clones := make([]*vectorindex.Index, len(names))
	for i, ns := range names {
		clones[i] = s.indexes[ns].Clone()
	}
	s.mu.RUnlock()
	return func(w io.Writer) error {
		b := append([]byte(sectionMagic), binary.AppendUvarint(nil, uint64(len(names)))...)
		if _, err := w.Write(b); err != nil {
			return err
		}
		for i, ns := range names {
			b = binary.AppendUvarint(b[:0], uint64(len(ns)))
			b = append(b, ns...)
			if _, err := w.Write(b); err != nil {
				return err
			}
			if err := clones[i].WriteSnapshot(w); err != nil {
				return fmt.Errorf("vector index %s: %w", ns, err)
			}
		}
		return nil
	}, nil
}

// Restore replaces every index with those of a section Snapshot wrote. On
// error the store keeps its previous state.
func (s *Store) Restore(r *bufio.Reader) error {
	magic := make([]byte, len(sectionMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return fmt.Errorf("read vector section: %w", err)
	}
	if string(magic) != sectionMagic {
		return errors.New("read vector section: bad magic")
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return fmt.Errorf("read vector section: %w", err)
	}
	indexes := map[string]*vectorindex.Index{}
	for i := uint64(0); i < n; i++ {
		l, err := binary.ReadUvarint(r)
		if err != nil || l == 0 || l > maxNamespace {
			return fmt.Errorf("read vector section: namespace %d of %d: bad length (%v)", i+1, n, err)
		}
		ns := make([]byte, l)
		if _, err := io.ReadFull(r, ns); err != nil {
			return fmt.Errorf("read vector section: namespace %d of %d: %w", i+1, n, err)
		}
		ix, err := vectorindex.ReadSnapshot(r)
		if err != nil {
			return fmt.Errorf("vector index %s: %w", ns, err)
		}
		indexes[string(ns)] = ix
	}
	for _, ix := range indexes {
		ix.SetBackground(true) // also resumes the pending writes the snapshot held
	}
	s.mu.Lock()
	old := s.indexes
	s.indexes = indexes
	s.mu.Unlock()
	closeAll(old)
	return nil
}

// Reset drops every index (and stops their background indexers).
func (s *Store) Reset() { s.Close() }
