// Package meta is the cluster metadata state machine, replicated by a small
// Raft group present on every node (voters on the first three, non-voters on
// the rest). It records each topology change (node health, group leaders)
// and each preferred leader; the epoch is the log index of the latest
// topology record, so every node serves the same epoch sequence. It also
// holds the cluster's identity, created once at bootstrap.
package meta

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sync"

	"github.com/hashicorp/raft"
)

// Node health values, as served in ClusterView.nodes[].role.
const (
	Alive   = "alive"
	Suspect = "suspect"
	Dead    = "dead"
)

// Topology is what a view is built from.
type Topology struct {
	Health  map[string]string `json:"health"`  // node id -> alive/suspect/dead
	Leaders map[int]string    `json:"leaders"` // group -> leader node id; absent while unknown
}

// Equal reports whether two topologies would produce the same view.
func (t Topology) Equal(o Topology) bool {
	return maps.Equal(t.Health, o.Health) && maps.Equal(t.Leaders, o.Leaders)
}

// Clone deep-copies t.
func (t Topology) Clone() Topology {
	return Topology{Health: maps.Clone(t.Health), Leaders: maps.Clone(t.Leaders)}
}

// State is the whole replicated metadata.
type State struct {
	Epoch     uint64         `json:"epoch"`
	Topology  Topology       `json:"topology"`
	Preferred map[int]string `json:"preferred"` // group -> preferred leader (set by TransferShard)
	// ClusterID names this cluster: set once, by the first identity record
	// in the log, and kept in snapshots, so it survives restarts with data
	// while a cluster started without data gets a new one.
	ClusterID string `json:"cluster_id,omitempty"`
}

// Command is a metadata write.
type Command struct {
	Topology *Topology `json:"topology,omitempty"`
	Prefer   *Prefer   `json:"prefer,omitempty"`
	// ClusterID proposes the cluster's identity; ignored once one is set,
	// so racing proposals agree on the first in log order.
	ClusterID string `json:"cluster_id,omitempty"`
}

// Prefer records that a group should be led by Node.
type Prefer struct {
	Group int    `json:"group"`
	Node  string `json:"node"`
}

// FSM applies metadata commands and lets readers wait for changes.
type FSM struct {
	mu      sync.RWMutex
	state   State
	changed chan struct{} // closed and replaced on every epoch or identity change
}

// NewFSM returns empty metadata (epoch 0).
func NewFSM() *FSM {
	return &FSM{state: emptyState(), changed: make(chan struct{})}
}

func emptyState() State {
	return State{Topology: Topology{Health: map[string]string{}, Leaders: map[int]string{}}, Preferred: map[int]string{}}
}

// State returns a copy of the current metadata and a channel closed at the
// next epoch change (or when the cluster id is set).
func (f *FSM) State() (State, <-chan struct{}) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s := f.state
	s.Topology = s.Topology.Clone()
	s.Preferred = maps.Clone(s.Preferred)
	return s, f.changed
}

// Apply applies one metadata record.
func (f *FSM) Apply(l *raft.Log) any {
	var c Command
	if err := json.Unmarshal(l.Data, &c); err != nil {
		return fmt.Errorf("decode metadata command at index %d: %w", l.Index, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.Prefer != nil {
		f.state.Preferred[c.Prefer.Group] = c.Prefer.Node
	}
	if c.ClusterID != "" && f.state.ClusterID == "" {
		f.state.ClusterID = c.ClusterID
		if c.Topology == nil {
			f.wakeLocked()
		}
	}
	if c.Topology != nil {
		t := c.Topology.Clone()
		if t.Health == nil {
			t.Health = map[string]string{}
		}
		if t.Leaders == nil {
			t.Leaders = map[int]string{}
		}
		f.state.Topology = t
		f.state.Epoch = l.Index
		f.wakeLocked()
	}
	return nil
}

// wakeLocked wakes everyone waiting on the current changed channel.
func (f *FSM) wakeLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Snapshot captures the metadata.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	b, err := json.Marshal(f.state)
	if err != nil {
		return nil, fmt.Errorf("encode metadata snapshot: %w", err)
	}
	return snapshot(b), nil
}

// Restore replaces the metadata with a snapshot's.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	s := emptyState()
	if err := json.NewDecoder(rc).Decode(&s); err != nil {
		return fmt.Errorf("decode metadata snapshot: %w", err)
	}
	if s.Preferred == nil {
		s.Preferred = map[int]string{}
	}
	if s.Topology.Health == nil {
		s.Topology.Health = map[string]string{}
	}
	if s.Topology.Leaders == nil {
		s.Topology.Leaders = map[int]string{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = s
	f.wakeLocked()
	return nil
}

type snapshot []byte

func (s snapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("persist metadata snapshot: %w", err)
	}
	return sink.Close()
}

func (s snapshot) Release() {}
