package vectorindex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// snapReader decodes little-endian values straight from the bytes a
// bufio.Reader holds (Peek, then Discard what was consumed); the first
// error sticks, after which values read as zero. The CRC takes the bytes
// consumed in bulk (before they are discarded and when a sum is asked
// for) rather than field by field: a 100k-node graph is millions of u32
// fields, and hashing each one on its own cost more than decoding it.
//
// It never reads ahead of what it consumes on a caller's *bufio.Reader of
// snapBufSize bytes or more (release leaves it just past the snapshot), so
// a stream holding several snapshots in a row, as a vector store's
// snapshot section does, reads each from where the last one ended.
type snapReader struct {
	br     *bufio.Reader
	win    []byte // bytes buffered in br, from the first not yet discarded
	pos    int    // win[:pos] is consumed
	crcPos int    // win[:crcPos] is in crc
	crc    uint32
	err    error
}

// snapBufSize holds the largest field read in one piece (a 4096-dim
// vector is 16 KiB, an id 512 bytes; a corrupt id length at most 64 KiB
// less one) several times over.
const snapBufSize = 1 << 16

func newSnapReader(r io.Reader) *snapReader {
	return &snapReader{br: bufio.NewReaderSize(r, snapBufSize)}
}

// sum returns the CRC-32 (IEEE) of every byte consumed so far.
func (sr *snapReader) sum() uint32 {
	sr.crc = crc32.Update(sr.crc, crc32.IEEETable, sr.win[sr.crcPos:sr.pos])
	sr.crcPos = sr.pos
	return sr.crc
}

// release hashes and discards the consumed bytes from the bufio.Reader,
// leaving it at the first byte not consumed.
func (sr *snapReader) release() {
	sr.sum()
	if sr.pos > 0 {
		sr.br.Discard(sr.pos) // buffered bytes: never fails
	}
	sr.win, sr.pos, sr.crcPos = nil, 0, 0
}

// fill makes at least n (<= snapBufSize) unconsumed bytes available in
// win, or sets err.
func (sr *snapReader) fill(n int) bool {
	if len(sr.win)-sr.pos >= n {
		return true
	}
	if sr.err != nil {
		return false
	}
	sr.release()
	if _, err := sr.br.Peek(n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		sr.err = err
		return false
	}
	sr.win, _ = sr.br.Peek(sr.br.Buffered())
	return true
}

// take consumes the next n (<= snapBufSize) bytes and returns them (a view
// into the buffer, valid until the next read), or nil once an error stuck.
func (sr *snapReader) take(n int) []byte {
	if !sr.fill(n) {
		return nil
	}
	b := sr.win[sr.pos : sr.pos+n : sr.pos+n]
	sr.pos += n
	return b
}

// read fills b with the next len(b) bytes (zeros once an error stuck).
func (sr *snapReader) read(b []byte) {
	for len(b) > 0 {
		n := min(len(b), snapBufSize)
		src := sr.take(n)
		if src == nil {
			clear(b)
			return
		}
		b = b[copy(b, src):]
	}
}

func (sr *snapReader) u8() uint8 {
	if b := sr.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (sr *snapReader) u16() uint16 {
	if b := sr.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (sr *snapReader) u32() uint32 {
	if b := sr.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (sr *snapReader) u64() uint64 {
	if b := sr.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// corrupt reports a malformed snapshot.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("read vector index snapshot: %s: %w", fmt.Sprintf(format, args...), ErrCorruptSnapshot)
}

// ReadSnapshot restores an index written by WriteSnapshot. Every field is
// checked, so a damaged snapshot gives ErrCorruptSnapshot, never a panic or a
// half-built index.
//
// From a *bufio.Reader of at least 64 KiB it reads exactly the snapshot's
// bytes, so another snapshot or section may follow it in the stream; other
// readers are buffered and may be read past the snapshot's end.
func ReadSnapshot(r io.Reader) (*Index, error) {
	sr := newSnapReader(r)
	defer sr.release()
	var magic [4]byte
	sr.read(magic[:])
	if sr.err == nil && string(magic[:]) != snapshotMagic {
		return nil, corrupt("bad magic %q", magic[:])
	}
	version := sr.u32()
	if sr.err == nil && version != snapshotVersion && version != snapshotVersionPending {
		return nil, corrupt("unsupported version %d (this build reads %d and %d)", version, snapshotVersion, snapshotVersionPending)
	}
	var cfg Config
	cfg.Dims = int(sr.u32())
	cfg.Distance = Distance(sr.u8())
	cfg.Kind = Kind(sr.u8())
	cfg.M = int(sr.u32())
	cfg.EfConstruction = int(sr.u32())
	cfg.EfSearch = int(sr.u32())
	cfg.Seed = sr.u64()
	if sr.err != nil {
		return nil, readErr(sr.err)
	}
	if cfg.M == 0 || cfg.EfConstruction == 0 || cfg.EfSearch == 0 {
		return nil, corrupt("zero HNSW parameter")
	}
	ix, err := New(cfg)
	if err != nil {
		return nil, corrupt("config: %v", err)
	}
	if err := ix.readSlots(sr); err != nil {
		return nil, err
	}
	if ix.g != nil {
		if err := ix.readGraph(sr); err != nil {
			return nil, err
		}
	}
	if version == snapshotVersionPending {
		if ix.g == nil {
			return nil, corrupt("pending writes in a brute-force index")
		}
		if err := ix.readPending(sr); err != nil {
			return nil, err
		}
	}
	want := sr.sum()
	if got := sr.u32(); sr.err != nil {
		return nil, readErr(sr.err)
	} else if got != want {
		return nil, corrupt("checksum mismatch")
	}
	return ix, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt("truncated")
	}
	return fmt.Errorf("read vector index snapshot: %w", err)
}

func (ix *Index) readSlots(sr *snapReader) error {
	n := int(sr.u32())
	want := sr.sum()
	if got := sr.u32(); sr.err != nil {
		return readErr(sr.err)
	} else if got != want {
		return corrupt("header checksum mismatch")
	}
	if n > math.MaxInt32/2 {
		return corrupt("slot count %d", n)
	}
	ix.reserve(n)
	vbytes := 4 * ix.dims
	for s := range n {
		st := slotState(sr.u8())
		slot := ix.allocSlot()
		if st == slotFree {
			continue
		}
		if st != slotLive && (st != slotDeleted && st != slotSealed || ix.g == nil) {
			return corrupt("slot %d has bad state %d", s, st)
		}
		if st == slotLive {
			id := string(sr.take(int(sr.u16())))
			if err := validateID(id); err != nil {
				if sr.err != nil {
					return readErr(sr.err)
				}
				return corrupt("slot %d: %v", s, err)
			}
			ix.byID[id] = slot
			if len(ix.byID) == ix.live {
				return corrupt("slot %d: duplicate id %q", s, id)
			}
			ix.ids[slot] = id
			ix.idBytes += int64(len(id))
			ix.live++
		} else {
			ix.g.tombstones++
		}
		vb := sr.take(vbytes)
		if vb == nil {
			return readErr(sr.err)
		}
		// Decoded in place: the slot's own storage is the only copy.
		vec := ix.vector(slot)
		for i := range vec {
			vec[i] = math.Float32frombits(binary.LittleEndian.Uint32(vb[4*i:]))
		}
		if _, ok := checkFinite(vec); !ok {
			return corrupt("slot %d holds a non-finite value", s)
		}
		ix.deriveVector(slot)
		ix.state[slot] = st
	}
	nf := int(sr.u32())
	if sr.err != nil {
		return readErr(sr.err)
	}
	if nf > n {
		return corrupt("free list of %d for %d slots", nf, n)
	}
	seen := make(map[uint32]bool, nf)
	for range nf {
		f := sr.u32()
		if sr.err != nil {
			return readErr(sr.err)
		}
		if int(f) >= n || ix.state[f] != slotFree || seen[f] {
			return corrupt("bad free slot %d", f)
		}
		seen[f] = true
		ix.free = append(ix.free, int32(f))
	}
	return nil
}

func (ix *Index) readGraph(sr *snapReader) error {
	g := ix.g
	g.rng = sr.u64()
	g.entry = int32(sr.u32())
	g.top = int(sr.u32())
	sweeping := sr.u8()
	g.sweepPos = int(sr.u32())
	if sr.err != nil {
		return readErr(sr.err)
	}
	n := len(ix.state)
	g.sweeping = sweeping == 1
	if sweeping > 1 || g.sweepPos > n || !g.sweeping && g.sweepPos != 0 {
		return corrupt("bad sweep state %d at %d", sweeping, g.sweepPos)
	}
	for s, st := range ix.state {
		if st == slotSealed && !g.sweeping {
			return corrupt("slot %d sealed without a sweep", s)
		}
	}
	used := ix.live + g.tombstones
	if used == 0 && g.entry != -1 || used > 0 && (g.entry < 0 || int(g.entry) >= n || ix.state[g.entry] == slotFree) {
		return corrupt("bad entry point %d", g.entry)
	}
	state := ix.state
	for s, st := range state {
		if st == slotFree {
			continue
		}
		level := int(sr.u8())
		if level > maxLevel {
			return corrupt("slot %d level %d", s, level)
		}
		g.initNode(int32(s), level)
		for l := 0; l <= level; l++ {
			cnt := int(sr.u32())
			if sr.err != nil {
				return readErr(sr.err)
			}
			if cnt > g.maxLinks(l) {
				return corrupt("slot %d has %d links on level %d", s, cnt, l)
			}
			b := sr.take(4 * cnt)
			if b == nil {
				return readErr(sr.err)
			}
			// Decoded straight into the node's list.
			lst := g.list(int32(s), l)
			for i := range cnt {
				x := binary.LittleEndian.Uint32(b[4*i:])
				if int(x) >= n || state[x] == slotFree {
					return corrupt("slot %d links to bad slot %d", s, x)
				}
				lst[1+i] = int32(x)
			}
			lst[0] = int32(cnt)
		}
	}
	if used > 0 && g.top != int(g.levels[g.entry]) {
		return corrupt("entry level %d, top %d", g.levels[g.entry], g.top)
	}
	for s, st := range ix.state {
		if st == slotFree {
			continue
		}
		for l := 0; l <= int(g.levels[s]); l++ {
			for _, x := range g.links(int32(s), l) {
				if int(g.levels[x]) < l {
					return corrupt("slot %d links on level %d to slot %d of level %d", s, l, x, g.levels[x])
				}
			}
		}
	}
	return nil
}

// readPending queues the pending writes of a version 2 snapshot again, in
// order, and puts the index in background mode; the indexer starts on
// SetBackground, Drain or the next write.
func (ix *Index) readPending(sr *snapReader) error {
	n := int(sr.u32())
	if sr.err != nil {
		return readErr(sr.err)
	}
	if n == 0 || n > MaxPendingOps {
		return corrupt("%d pending writes", n)
	}
	ix.bg = true
	ix.q.live = ix.live
	vb := make([]byte, 4*ix.dims)
	for i := range n {
		kind := sr.u8()
		idb := make([]byte, sr.u16())
		sr.read(idb)
		if sr.err != nil {
			return readErr(sr.err)
		}
		id := string(idb)
		if kind > 1 {
			return corrupt("pending write %d has kind %d", i, kind)
		}
		if err := validateID(id); err != nil {
			return corrupt("pending write %d: %v", i, err)
		}
		var vec []float32
		if kind == 1 {
			sr.read(vb)
			if sr.err != nil {
				return readErr(sr.err)
			}
			vec = make([]float32, ix.dims)
			for j := range vec {
				vec[j] = math.Float32frombits(binary.LittleEndian.Uint32(vb[4*j:]))
			}
			if _, ok := checkFinite(vec); !ok {
				return corrupt("pending write %d holds a non-finite value", i)
			}
		}
		ix.requeue(id, vec)
	}
	return nil
}
