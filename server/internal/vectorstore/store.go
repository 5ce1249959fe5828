// Package vectorstore is the vector-index state machine of one replication
// group: it rides in the group's kvstore.FSM as its Extension, applies the
// replicated create/drop/insert/delete commands to vectorindex indexes (so
// every replica builds the same indexes from the log), and writes and reads
// them in the group's snapshots.
package vectorstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// Store holds the vector indexes of one group, by namespace.
type Store struct {
	mu      sync.RWMutex
	indexes map[string]*vectorindex.Index
}

var _ kvstore.Extension = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{indexes: map[string]*vectorindex.Index{}} }

// Index returns namespace's index. Searches and gets go to it directly; it
// has its own lock.
func (s *Store) Index(ns string) (*vectorindex.Index, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix, ok := s.indexes[ns]
	return ix, ok
}

// Info describes one index.
type Info struct {
	Namespace string
	Config    vectorindex.Config
	Count     int
	Bytes     int64
	Pending   int // writes acknowledged but not yet linked into the HNSW graph
}

// List describes every index, by namespace.
func (s *Store) List() []Info {
	s.mu.RLock()
	out := make([]Info, 0, len(s.indexes))
	for ns, ix := range s.indexes {
		out = append(out, Info{Namespace: ns, Config: ix.Config()})
	}
	idx := make([]*vectorindex.Index, len(out))
	for i := range out {
		idx[i] = s.indexes[out[i].Namespace]
	}
	s.mu.RUnlock()
	for i, ix := range idx {
		st := ix.Stats()
		out[i].Count, out[i].Bytes, out[i].Pending = st.Live, st.Bytes, st.Pending
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Namespace, b.Namespace) })
	return out
}

// Len returns the number of indexes.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.indexes)
}

// NotFoundMessage is the reply for a namespace without an index (PROTOCOL.md §4).
func NotFoundMessage(ns string) string { return fmt.Sprintf("vector index %s not found", ns) }

// Apply applies one committed vector command. It is deterministic: the
// same log gives the same indexes on every replica.
func (s *Store) Apply(c *kvstore.Command, v kvstore.Version) kvstore.Result {
	switch c.Type {
	case kvstore.CmdVecCreate:
		return s.create(string(c.Key), c.Payload, v)
	case kvstore.CmdVecDrop:
		s.mu.Lock()
		ix, ok := s.indexes[string(c.Key)]
		delete(s.indexes, string(c.Key))
		s.mu.Unlock()
		if ok {
			ix.Close() // stops its background indexer
		}
		return kvstore.Result{Version: v, Flag: ok}
	case kvstore.CmdVecInsert, kvstore.CmdVecDelete:
		return s.write(c, v)
	case kvstore.CmdVecInsertBatch:
		return s.insertBatch(c, v)
	}
	return kvstore.Result{Outcome: kvstore.BadCommand, Message: fmt.Sprintf("unknown vector command type %d", c.Type)}
}

func (s *Store) create(ns string, payload []byte, v kvstore.Version) kvstore.Result {
	def, seed, err := decodeCreate(payload)
	if err != nil {
		return kvstore.Result{Outcome: kvstore.BadCommand, Message: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix, ok := s.indexes[ns]; ok {
		if !Matches(ix.Config(), def) {
			return kvstore.Result{Outcome: kvstore.AlreadyExists, Message: fmt.Sprintf(
				"vector index %s already exists with a different definition (%s): drop it first or use another namespace",
				ns, Describe(ix.Config()))}
		}
		return kvstore.Result{Version: v}
	}
	ix, err := vectorindex.New(vectorindex.Config{
		Dims: def.Dims, Distance: def.Distance, Kind: def.Kind,
		M: def.M, EfConstruction: def.EfConstruction, EfSearch: def.EfSearch, Seed: seed,
	})
	if err != nil {
		return kvstore.Result{Outcome: kvstore.Invalid, Message: err.Error()}
	}
	// HNSW writes are acknowledged once queued (the log makes them
	// durable, the queue searchable) and linked into the graph in the
	// background, in log order, so replicas still build the same graph.
	ix.SetBackground(true)
	s.indexes[ns] = ix
	return kvstore.Result{Version: v, Flag: true}
}

// Matches reports whether an existing index's configuration matches a
// requested definition: same dimensions, distance and kind, and the same
// HNSW parameters where the request names them.
func Matches(cfg vectorindex.Config, def Def) bool {
	same := func(have, want int) bool { return want == 0 || have == want }
	return cfg.Dims == def.Dims && cfg.Distance == def.Distance && cfg.Kind == def.Kind &&
		same(cfg.M, def.M) && same(cfg.EfConstruction, def.EfConstruction) && same(cfg.EfSearch, def.EfSearch)
}

// Describe renders a configuration for messages.
func Describe(cfg vectorindex.Config) string {
	d := fmt.Sprintf("%d dimensions, %s, %s", cfg.Dims, cfg.Distance, cfg.Kind)
	if cfg.Kind == vectorindex.HNSW {
		d += fmt.Sprintf(" M=%d efConstruction=%d ef=%d", cfg.M, cfg.EfConstruction, cfg.EfSearch)
	}
	return d
}

func (s *Store) write(c *kvstore.Command, v kvstore.Version) kvstore.Result {
	ns, id, err := splitScope(c.Key)
	if err != nil {
		return kvstore.Result{Outcome: kvstore.BadCommand, Message: err.Error()}
	}
	ix, ok := s.Index(ns)
	if !ok {
		return kvstore.Result{Outcome: kvstore.NotFound, Message: NotFoundMessage(ns)}
	}
	if c.Type == kvstore.CmdVecDelete {
		return kvstore.Result{Version: v, Flag: ix.Delete(id)}
	}
	vec, err := decodeVector(c.Payload)
	if err != nil {
		return kvstore.Result{Outcome: kvstore.BadCommand, Message: err.Error()}
	}
	if err := ix.Upsert(id, vec); err != nil {
		out := kvstore.Result{Outcome: kvstore.Invalid, Message: err.Error()}
		if errors.Is(err, vectorindex.ErrFull) {
			out.Outcome = kvstore.BadCommand
		}
		return out
	}
	return kvstore.Result{Version: v, Flag: true}
}

// Pending returns the writes not yet linked into an HNSW graph, summed over
// the store's indexes.
func (s *Store) Pending() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, ix := range s.indexes {
		n += ix.Pending()
	}
	return n
}

// Drain waits until every index has linked its pending writes.
func (s *Store) Drain() {
	s.mu.RLock()
	idx := make([]*vectorindex.Index, 0, len(s.indexes))
	for _, ix := range s.indexes {
		idx = append(idx, ix)
	}
	s.mu.RUnlock()
	for _, ix := range idx {
		ix.Drain()
	}
}

// Close stops every index's background indexer (pending writes stay
// readable but are no longer linked). A group that shuts down calls it so
// no indexer outlives it; an indexer also ends by itself once its queue
// is empty.
func (s *Store) Close() {
	s.mu.Lock()
	idx := s.indexes
	s.indexes = map[string]*vectorindex.Index{}
	s.mu.Unlock()
	closeAll(idx)
}

func closeAll(idx map[string]*vectorindex.Index) {
	for _, ix := range idx {
		ix.Close()
	}
}
