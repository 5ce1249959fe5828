// Package history keeps the cluster views the console received, compactly
// and bounded, so the cluster pane can show the cluster as it was at a past
// epoch (time travel). A view of 4,096 shards is kept in about 16 KiB: the
// shards' replica sets (with their leader) are interned once and each epoch
// holds one small index per shard.
package history

import (
	"strings"
	"time"
	"unsafe"

	"github.com/norikv/norikv-console/client"
)

// MaxEpochs is how many views the history keeps by default: the same bound
// as the events timeline, so every entry there can be travelled to.
const MaxEpochs = 1000

// Snapshot is one remembered view.
type Snapshot struct {
	At    time.Time
	Epoch uint64
	Nodes []client.ClusterNode
	// sets holds one index into History.sets per shard.
	sets []uint32
}

// History is a bounded ring of snapshots, oldest dropped first.
type History struct {
	buf     []Snapshot
	next, n int
	dropped int

	sets  [][]client.ShardReplica // interned replica sets, leader flag included
	setOf map[string]uint32
	bytes int64 // estimated bytes held by buf
	// maxSets is when compact runs (maxSets by default).
	maxSets int
}

// New returns a history that keeps the newest capacity views.
func New(capacity int) *History {
	return &History{buf: make([]Snapshot, max(1, capacity)), setOf: map[string]uint32{}, maxSets: maxSets}
}

// Add remembers view v received at at.
func (h *History) Add(at time.Time, v *client.ClusterView) {
	if v == nil {
		return
	}
	s := Snapshot{At: at, Epoch: v.Epoch, Nodes: append([]client.ClusterNode(nil), v.Nodes...), sets: make([]uint32, len(v.Shards))}
	var key strings.Builder
	for i, sh := range v.Shards {
		key.Reset()
		for _, r := range sh.Replicas {
			key.WriteString(r.NodeID)
			if r.Leader {
				key.WriteByte('*')
			}
			key.WriteByte(',')
		}
		id, ok := h.setOf[key.String()]
		if !ok {
			id = uint32(len(h.sets))
			h.sets = append(h.sets, append([]client.ShardReplica(nil), sh.Replicas...))
			h.setOf[key.String()] = id
			h.bytes += int64(len(key.String())*2 + len(sh.Replicas)*int(unsafe.Sizeof(client.ShardReplica{})) + 48)
		}
		s.sets[i] = id
	}
	if h.n == len(h.buf) {
		h.dropped++
		h.bytes -= snapshotBytes(h.buf[h.next])
	} else {
		h.n++
	}
	h.buf[h.next] = s
	h.bytes += snapshotBytes(s)
	h.next = (h.next + 1) % len(h.buf)
	if len(h.sets) > h.maxSets {
		h.compact()
	}
}

// maxSets bounds the interned replica sets by default: sets only dropped
// views used are let go once there are this many (a long session of churn).
const maxSets = 1 << 16

// compact keeps only the replica sets the kept views refer to.
func (h *History) compact() {
	remap := map[uint32]uint32{}
	var sets [][]client.ShardReplica
	setOf := map[string]uint32{}
	for _, old := range h.setOf {
		remap[old] = ^uint32(0)
	}
	for i := 0; i < h.n; i++ {
		for _, id := range h.buf[i].sets {
			if remap[id] == ^uint32(0) {
				remap[id] = uint32(len(sets))
				sets = append(sets, h.sets[id])
			}
		}
	}
	var bytes int64
	for key, old := range h.setOf {
		if nid := remap[old]; nid != ^uint32(0) {
			setOf[key] = nid
			bytes += int64(len(key)*2 + len(h.sets[old])*int(unsafe.Sizeof(client.ShardReplica{})) + 48)
		}
	}
	for i := 0; i < h.n; i++ {
		s := h.buf[i].sets
		for j, id := range s {
			s[j] = remap[id]
		}
		bytes += snapshotBytes(h.buf[i])
	}
	h.sets, h.setOf, h.bytes = sets, setOf, bytes
}

// snapshotBytes estimates the memory one snapshot holds.
func snapshotBytes(s Snapshot) int64 {
	b := int64(unsafe.Sizeof(s)) + int64(len(s.sets))*4
	for _, n := range s.Nodes {
		b += int64(unsafe.Sizeof(n)) + int64(len(n.ID)+len(n.Addr)+len(n.Role))
	}
	return b
}

// Len returns how many views are kept.
func (h *History) Len() int { return h.n }

// Dropped returns how many old views were let go.
func (h *History) Dropped() int { return h.dropped }

// Bytes estimates the memory the history holds.
func (h *History) Bytes() int64 { return h.bytes }

// Reset forgets every view.
func (h *History) Reset() {
	limit := h.maxSets
	*h = *New(len(h.buf))
	h.maxSets = limit
}

// Find returns the newest view of epoch received at at; with a zero at, the
// newest view of epoch (epochs repeat after the cluster was replaced).
func (h *History) Find(epoch uint64, at time.Time) (*client.ClusterView, time.Time, bool) {
	for i := 0; i < h.n; i++ {
		s := &h.buf[(h.next-1-i+2*len(h.buf))%len(h.buf)]
		if s.Epoch == epoch && (at.IsZero() || s.At.Equal(at)) {
			return h.view(s), s.At, true
		}
	}
	return nil, time.Time{}, false
}

// view rebuilds the cluster view of a snapshot; the replica slices are
// shared with the history and must not be modified.
func (h *History) view(s *Snapshot) *client.ClusterView {
	v := &client.ClusterView{Epoch: s.Epoch, Nodes: s.Nodes, Shards: make([]client.ShardInfo, len(s.sets))}
	for i, id := range s.sets {
		v.Shards[i] = client.ShardInfo{ID: i, Replicas: h.sets[id]}
	}
	return v
}
