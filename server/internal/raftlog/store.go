package raftlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble"
	"github.com/hashicorp/raft"
)

// errNotFound is what hashicorp/raft expects from a StableStore for a
// missing key: it compares the error's text with "not found".
var errNotFound = errors.New("not found")

// Store is one group's raft.LogStore and raft.StableStore inside a DB.
type Store struct {
	db           *DB
	name         string
	logPrefix    []byte
	stablePrefix []byte
}

var (
	_ raft.LogStore    = (*Store)(nil)
	_ raft.StableStore = (*Store)(nil)
)

// FirstIndex returns the first index written, 0 for no entries.
func (s *Store) FirstIndex() (uint64, error) { return s.edgeIndex(true) }

// LastIndex returns the last index written, 0 for no entries.
func (s *Store) LastIndex() (uint64, error) { return s.edgeIndex(false) }

func (s *Store) edgeIndex(first bool) (uint64, error) {
	var idx uint64
	err := s.db.with(func(p *pebble.DB) error {
		it, err := p.NewIter(&pebble.IterOptions{
			LowerBound: logKey(nil, s.logPrefix, 0),
			UpperBound: append(logKey(nil, s.logPrefix, math.MaxUint64), 0),
		})
		if err != nil {
			return err
		}
		ok := false
		if first {
			ok = it.First()
		} else {
			ok = it.Last()
		}
		if ok {
			idx = binary.BigEndian.Uint64(it.Key()[len(s.logPrefix):])
		}
		if err := it.Error(); err != nil {
			_ = it.Close()
			return err
		}
		return it.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("raftlog %s: read log bounds: %w", s.name, err)
	}
	return idx, nil
}

// GetLog fills log with the entry at index, or returns raft.ErrLogNotFound.
func (s *Store) GetLog(index uint64, log *raft.Log) error {
	var key [8 + 2 + 255]byte
	k := logKey(key[:0], s.logPrefix, index)
	return s.db.with(func(p *pebble.DB) error {
		v, closer, err := p.Get(k)
		if errors.Is(err, pebble.ErrNotFound) {
			return raft.ErrLogNotFound
		}
		if err != nil {
			return fmt.Errorf("raftlog %s: read entry %d: %w", s.name, index, err)
		}
		defer closer.Close()
		return decodeLog(index, v, log)
	})
}

// StoreLog stores one entry.
func (s *Store) StoreLog(log *raft.Log) error { return s.StoreLogs([]*raft.Log{log}) }

// StoreLogs stores entries in one batch, durable when it returns. Batches
// of many groups committed at the same time share one fsync.
func (s *Store) StoreLogs(logs []*raft.Log) error {
	if err := s.db.space.check(); err != nil {
		return fmt.Errorf("raftlog %s: not writing %d entries: %w", s.name, len(logs), err)
	}
	if p := s.db.pacer; p != nil {
		p.commitStarted()
		defer p.commitEnded()
	}
	kp, vp := s.db.bufs.Get().(*[]byte), s.db.bufs.Get().(*[]byte)
	defer s.db.bufs.Put(kp)
	defer s.db.bufs.Put(vp)
	defer s.db.exitOnPanic()
	return s.db.with(func(p *pebble.DB) error {
		b := p.NewBatch()
		defer b.Close()
		for _, l := range logs {
			*kp = logKey(*kp, s.logPrefix, l.Index)
			*vp = encodeLog(*vp, l)
			if err := b.Set(*kp, *vp, nil); err != nil {
				return fmt.Errorf("raftlog %s: batch entry %d: %w", s.name, l.Index, err)
			}
		}
		if err := b.Commit(pebble.Sync); err != nil {
			return fmt.Errorf("raftlog %s: write %d entries: %w", s.name, len(logs), err)
		}
		return nil
	})
}

// DeleteRange deletes the entries from min to max, both included.
func (s *Store) DeleteRange(min, max uint64) error {
	if min > max {
		return nil
	}
	start := logKey(nil, s.logPrefix, min)
	end := logKey(nil, s.logPrefix, max)
	if max == math.MaxUint64 {
		end = append(end, 0)
	} else {
		end = logKey(end, s.logPrefix, max+1)
	}
	defer s.db.exitOnPanic()
	return s.db.with(func(p *pebble.DB) error {
		if err := p.DeleteRange(start, end, pebble.Sync); err != nil {
			return fmt.Errorf("raftlog %s: delete entries %d-%d: %w", s.name, min, max, err)
		}
		return nil
	})
}

// Set stores a stable value, durable when it returns.
func (s *Store) Set(key, val []byte) error {
	k := append(bytes.Clone(s.stablePrefix), key...)
	defer s.db.exitOnPanic()
	return s.db.with(func(p *pebble.DB) error {
		if err := p.Set(k, val, pebble.Sync); err != nil {
			return fmt.Errorf("raftlog %s: set %q: %w", s.name, key, err)
		}
		return nil
	})
}

// Get returns a stable value, or an error reading "not found".
func (s *Store) Get(key []byte) ([]byte, error) {
	k := append(bytes.Clone(s.stablePrefix), key...)
	var out []byte
	err := s.db.with(func(p *pebble.DB) error {
		v, closer, err := p.Get(k)
		if errors.Is(err, pebble.ErrNotFound) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("raftlog %s: get %q: %w", s.name, key, err)
		}
		out = bytes.Clone(v)
		return closer.Close()
	})
	return out, err
}

// SetUint64 stores a stable uint64.
func (s *Store) SetUint64(key []byte, val uint64) error {
	return s.Set(key, binary.BigEndian.AppendUint64(nil, val))
}

// GetUint64 returns a stable uint64, or an error reading "not found".
func (s *Store) GetUint64(key []byte) (uint64, error) {
	v, err := s.Get(key)
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("raftlog %s: value of %q is %d bytes, not a uint64 (corrupt store?)", s.name, key, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// Close does nothing: the DB is shared and closed by its owner.
func (s *Store) Close() error { return nil }
