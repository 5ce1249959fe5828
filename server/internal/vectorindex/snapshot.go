package vectorindex

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
)

// Snapshot format (little endian), version 1:
//
//	"NVIX" u32(version) config
//	u32(slots) u32(CRC-32 of the bytes so far) then per slot: u8(state) [u16(len) id] [dims x f32]   (free slots carry nothing;
//	                          tombstones, sealed or not, carry their vector but no id)
//	u32(free count) free slots as u32, in reuse order
//	HNSW only: u64(prng state) i32(entry) u32(top level) u8(sweeping) u32(sweep position)
//	           then per used slot:
//	           u8(level) and per level u32(count) count x u32 neighbours
//	version 2 only: u32(pending ops) then per op, oldest first:
//	           u8(1 upsert, 0 delete) u16(len) id [dims x f32 for an upsert]
//	u32 CRC-32 (IEEE) of everything before it
//
// Version 2 is written only when background writes are pending (the
// queue follows the graph, and a restore queues them again in order);
// an index without pending writes is written as version 1, as before.
// It records the exact state rather than the insertion history, so restoring
// is fast (no graph rebuild) and a restored replica answers exactly like one
// that applied the log.
const (
	snapshotMagic   = "NVIX"
	snapshotVersion = 1
	// snapshotVersionPending adds the pending writes after the graph.
	snapshotVersionPending = 2
)

// snapWriter encodes little-endian values through a CRC.
type snapWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	buf [8]byte
	err error
}

func (sw *snapWriter) write(b []byte) {
	if sw.err != nil {
		return
	}
	sw.crc.Write(b)
	_, sw.err = sw.w.Write(b)
}

func (sw *snapWriter) u8(v uint8) { sw.buf[0] = v; sw.write(sw.buf[:1]) }
func (sw *snapWriter) u16(v uint16) {
	binary.LittleEndian.PutUint16(sw.buf[:2], v)
	sw.write(sw.buf[:2])
}
func (sw *snapWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(sw.buf[:4], v)
	sw.write(sw.buf[:4])
}
func (sw *snapWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(sw.buf[:8], v)
	sw.write(sw.buf[:8])
}

// WriteSnapshot writes the whole index (config, vectors, ids, graph, PRNG
// state) to w. Searches continue meanwhile; writers wait until it is done.
func (ix *Index) WriteSnapshot(w io.Writer) error {
	ix.wmu.Lock() // writers wait (not between the steps of an insert); searches go on
	defer ix.wmu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.qmu.RLock()
	defer ix.qmu.RUnlock()
	sw := &snapWriter{w: bufio.NewWriterSize(w, 1<<16), crc: crc32.NewIEEE()}
	sw.write([]byte(snapshotMagic))
	pending := ix.q.ops[ix.q.head:]
	if len(pending) > 0 {
		sw.u32(snapshotVersionPending)
	} else {
		sw.u32(snapshotVersion)
	}
	c := ix.cfg
	sw.u32(uint32(c.Dims))
	sw.u8(uint8(c.Distance))
	sw.u8(uint8(c.Kind))
	sw.u32(uint32(c.M))
	sw.u32(uint32(c.EfConstruction))
	sw.u32(uint32(c.EfSearch))
	sw.u64(c.Seed)

	sw.u32(uint32(len(ix.state)))
	// The header checksum lets a reader trust the slot count before it
	// allocates for it.
	sw.u32(sw.crc.Sum32())
	vb := make([]byte, 4*ix.dims)
	for s, st := range ix.state {
		sw.u8(uint8(st))
		if st == slotFree {
			continue
		}
		if st == slotLive {
			sw.u16(uint16(len(ix.ids[s])))
			sw.write([]byte(ix.ids[s]))
		}
		for i, x := range ix.vector(int32(s)) {
			binary.LittleEndian.PutUint32(vb[4*i:], math.Float32bits(x))
		}
		sw.write(vb)
	}
	sw.u32(uint32(len(ix.free)))
	for _, s := range ix.free {
		sw.u32(uint32(s))
	}
	if g := ix.g; g != nil {
		sw.u64(g.rng)
		sw.u32(uint32(g.entry))
		sw.u32(uint32(g.top))
		if g.sweeping {
			sw.u8(1)
		} else {
			sw.u8(0)
		}
		sw.u32(uint32(g.sweepPos))
		for s, st := range ix.state {
			if st == slotFree {
				continue
			}
			sw.u8(g.levels[s])
			for l := 0; l <= int(g.levels[s]); l++ {
				lst := g.links(int32(s), l)
				sw.u32(uint32(len(lst)))
				for _, x := range lst {
					sw.u32(uint32(x))
				}
			}
		}
	}
	if len(pending) > 0 {
		sw.u32(uint32(len(pending)))
		for _, op := range pending {
			if op.vec == nil {
				sw.u8(0)
			} else {
				sw.u8(1)
			}
			sw.u16(uint16(len(op.id)))
			sw.write([]byte(op.id))
			for i, x := range op.vec {
				binary.LittleEndian.PutUint32(vb[4*i:], math.Float32bits(x))
			}
			if op.vec != nil {
				sw.write(vb)
			}
		}
	}
	sum := sw.crc.Sum32()
	sw.u32(sum)
	if sw.err != nil {
		return fmt.Errorf("write vector index snapshot: %w", sw.err)
	}
	if err := sw.w.Flush(); err != nil {
		return fmt.Errorf("write vector index snapshot: %w", err)
	}
	return nil
}
