package vectorstore_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/norikv/norikv-console/server/internal/kvstore"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
	"github.com/norikv/norikv-console/server/internal/vectorstore"
)

// replica is one group state machine with a vector store, fed a log by hand.
type replica struct {
	fsm   *kvstore.FSM
	store *vectorstore.Store
	index uint64
}

func newReplica() *replica {
	s := vectorstore.New()
	return &replica{fsm: kvstore.New(kvstore.Options{TotalShards: 1024, Extension: s}), store: s}
}

func (r *replica) apply(t testing.TB, c *kvstore.Command) kvstore.Result {
	t.Helper()
	if c.NowMs == 0 {
		c.NowMs = 1_000_000
	}
	r.index++
	res, ok := r.fsm.Apply(&raft.Log{Index: r.index, Term: 2, Data: c.Encode()}).(kvstore.Result)
	if !ok {
		t.Fatalf("apply returned %T", res)
	}
	return res
}

func hnswDef(dims int) vectorstore.Def {
	return vectorstore.Def{Dims: dims, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW, M: 8, EfConstruction: 64}
}

func randVec(rng *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return v
}

func TestCreateDropAndDefinitions(t *testing.T) {
	r := newReplica()
	res := r.apply(t, vectorstore.CreateCommand("ns", hnswDef(4), 7, ""))
	if res.Outcome != kvstore.OK || !res.Flag {
		t.Fatalf("create: %+v", res)
	}
	if res := r.apply(t, vectorstore.CreateCommand("ns", vectorstore.Def{Dims: 4, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW}, 9, "")); res.Outcome != kvstore.OK || res.Flag {
		t.Fatalf("identical create (default parameters) = %+v, want OK and not created", res)
	}
	for _, d := range []vectorstore.Def{
		{Dims: 5, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW},
		{Dims: 4, Distance: vectorindex.Cosine, Kind: vectorindex.HNSW},
		{Dims: 4, Distance: vectorindex.Euclidean, Kind: vectorindex.BruteForce},
		{Dims: 4, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW, M: 12},
	} {
		if res := r.apply(t, vectorstore.CreateCommand("ns", d, 1, "")); res.Outcome != kvstore.AlreadyExists {
			t.Fatalf("create %+v over an existing index = %+v, want AlreadyExists", d, res)
		}
	}
	if res := r.apply(t, vectorstore.CreateCommand("bad", vectorstore.Def{Dims: 0, Distance: vectorindex.Euclidean, Kind: vectorindex.HNSW}, 1, "")); res.Outcome != kvstore.Invalid {
		t.Fatalf("create with 0 dims = %+v, want Invalid", res)
	}
	if res := r.apply(t, vectorstore.DropCommand("ns", "")); !res.Flag {
		t.Fatalf("drop = %+v", res)
	}
	if res := r.apply(t, vectorstore.DropCommand("ns", "")); res.Flag || res.Outcome != kvstore.OK {
		t.Fatalf("second drop = %+v, want OK and not dropped", res)
	}
	res = r.apply(t, vectorstore.InsertCommand("ns", "a", []float32{1, 2, 3, 4}, ""))
	if res.Outcome != kvstore.NotFound || res.Message != "vector index ns not found" {
		t.Fatalf("insert into dropped index = %+v", res)
	}
}

func TestInsertDeleteAndIdempotency(t *testing.T) {
	r := newReplica()
	r.apply(t, vectorstore.CreateCommand("ns", vectorstore.Def{Dims: 2, Distance: vectorindex.Euclidean, Kind: vectorindex.BruteForce}, 1, ""))
	first := r.apply(t, vectorstore.InsertCommand("ns", "a", []float32{1, 1}, "k1"))
	if first.Outcome != kvstore.OK || !first.Flag || first.Version.Index != 2 {
		t.Fatalf("insert = %+v", first)
	}
	r.apply(t, vectorstore.InsertCommand("ns", "a", []float32{5, 5}, "k2"))
	replay := r.apply(t, vectorstore.InsertCommand("ns", "a", []float32{1, 1}, "k1"))
	if !replay.Replayed || replay.Version != first.Version {
		t.Fatalf("replay = %+v, want the original reply %+v", replay, first.Version)
	}
	ix, _ := r.store.Index("ns")
	if v, _ := ix.Get("a"); !slices.Equal(v, []float32{5, 5}) {
		t.Fatalf("a = %v after a replay, want the later write [5 5]", v)
	}
	if res := r.apply(t, vectorstore.DeleteCommand("ns", "a", "k1")); res.Outcome != kvstore.IdemConflict {
		t.Fatalf("idempotency key reused for a delete = %+v, want IdemConflict", res)
	}
	if res := r.apply(t, vectorstore.InsertCommand("ns", "b", []float32{1, 1}, "k1")); res.Outcome != kvstore.IdemConflict {
		t.Fatalf("idempotency key reused for another id = %+v, want IdemConflict", res)
	}
	if res := r.apply(t, vectorstore.InsertCommand("ns", "c", []float32{1, 2, 3}, "k3")); res.Outcome != kvstore.Invalid {
		t.Fatalf("wrong dims = %+v, want Invalid", res)
	}
	d1 := r.apply(t, vectorstore.DeleteCommand("ns", "a", "d1"))
	d2 := r.apply(t, vectorstore.DeleteCommand("ns", "a", "d2"))
	again := r.apply(t, vectorstore.DeleteCommand("ns", "a", "d1"))
	if !d1.Flag || d2.Flag || !again.Flag || !again.Replayed {
		t.Fatalf("deletes: %+v %+v replay %+v", d1, d2, again)
	}
}

func TestMalformedCommandsNeverPanic(t *testing.T) {
	r := newReplica()
	r.apply(t, vectorstore.CreateCommand("ns", hnswDef(2), 1, ""))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		c := &kvstore.Command{Type: kvstore.CmdVecCreate + kvstore.CommandType(rng.IntN(5)), NowMs: 1}
		c.Key = make([]byte, rng.IntN(6))
		c.Payload = make([]byte, rng.IntN(24))
		for j := range c.Key {
			c.Key[j] = byte(rng.IntN(4))
		}
		for j := range c.Payload {
			c.Payload[j] = byte(rng.Uint32())
		}
		_ = r.apply(t, c)
	}
}

// TestReplicasAgreeAndSnapshotsRestore feeds the same log to two replicas,
// snapshots one mid-way into a third, and checks all answer identically.
func TestReplicasAgreeAndSnapshotsRestore(t *testing.T) {
	a, b := newReplica(), newReplica()
	rng := rand.New(rand.NewPCG(3, 4))
	var log []*kvstore.Command
	log = append(log, vectorstore.CreateCommand("h", hnswDef(8), 42, ""),
		vectorstore.CreateCommand("f", vectorstore.Def{Dims: 8, Distance: vectorindex.Cosine, Kind: vectorindex.BruteForce}, 0, ""))
	for i := 0; i < 600; i++ {
		id := "v" + strconv.Itoa(rng.IntN(400))
		ns := []string{"h", "f"}[i%2]
		if rng.IntN(6) == 0 {
			log = append(log, vectorstore.DeleteCommand(ns, id, "del-"+strconv.Itoa(i)))
		} else {
			log = append(log, vectorstore.InsertCommand(ns, id, randVec(rng, 8), "ins-"+strconv.Itoa(i)))
		}
	}
	var snap bytes.Buffer
	for i, c := range log {
		a.apply(t, c)
		b.apply(t, c)
		if i == 400 {
			persist(t, a.fsm, &snap)
		}
	}
	c := newReplica()
	if err := c.fsm.Restore(io.NopCloser(bytes.NewReader(snap.Bytes()))); err != nil {
		t.Fatal(err)
	}
	c.index = 401
	for _, cmd := range log[401:] {
		c.apply(t, cmd)
	}
	for _, ns := range []string{"h", "f"} {
		for q := 0; q < 20; q++ {
			query := randVec(rng, 8)
			want := search(t, a.store, ns, query)
			for name, r := range map[string]*replica{"b": b, "restored": c} {
				if got := search(t, r.store, ns, query); !slices.Equal(got, want) {
					t.Fatalf("%s: replica %s answers %v, the first answers %v", ns, name, got, want)
				}
			}
		}
	}
	la, lc := a.store.List(), c.store.List()
	if len(la) != 2 || la[0].Count != lc[0].Count || la[1].Count != lc[1].Count || la[0].Bytes <= 0 {
		t.Fatalf("listings differ: %+v vs %+v", la, lc)
	}
	// A replayed idempotency key answers from the restored record.
	if res := c.apply(t, log[5]); !res.Replayed {
		t.Fatalf("replay of %v after restore: %+v", log[5].IdemKey, res)
	}
}

func TestCorruptSnapshotKeepsState(t *testing.T) {
	a := newReplica()
	a.apply(t, vectorstore.CreateCommand("ns", hnswDef(2), 1, ""))
	a.apply(t, vectorstore.InsertCommand("ns", "x", []float32{1, 2}, ""))
	var snap bytes.Buffer
	persist(t, a.fsm, &snap)
	b := newReplica()
	b.apply(t, vectorstore.CreateCommand("keep", hnswDef(2), 1, ""))
	data := snap.Bytes()
	for _, cut := range []int{len(data) - 1, len(data) - 9, len(data) / 2} {
		if err := b.fsm.Restore(io.NopCloser(bytes.NewReader(data[:cut]))); err == nil {
			t.Fatalf("restore of a snapshot cut at %d of %d bytes succeeded", cut, len(data))
		}
		if _, ok := b.store.Index("keep"); !ok || b.store.Len() != 1 {
			t.Fatalf("a failed restore changed the store")
		}
	}
	if err := b.fsm.Restore(io.NopCloser(bytes.NewReader(data))); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.store.Index("keep"); ok {
		t.Fatal("restore kept an index the snapshot does not have")
	}
	if ix, ok := b.store.Index("ns"); !ok || ix.Len() != 1 {
		t.Fatal("restore lost the snapshot's index")
	}
}

func persist(t *testing.T, fsm *kvstore.FSM, w *bytes.Buffer) {
	t.Helper()
	s, err := fsm.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{Buffer: w}
	if err := s.Persist(sink); err != nil {
		t.Fatal(err)
	}
	s.Release()
}

func search(t *testing.T, s *vectorstore.Store, ns string, q []float32) []vectorindex.Match {
	t.Helper()
	ix, ok := s.Index(ns)
	if !ok {
		t.Fatalf("no index %s", ns)
	}
	// Approximate answers depend on the graph, which replicas agree on
	// once their background indexers have linked every applied write.
	ix.Drain()
	m, err := ix.Search(q, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type memSink struct{ *bytes.Buffer }

func (m *memSink) ID() string    { return "mem" }
func (m *memSink) Cancel() error { return errors.New("cancelled") }
func (m *memSink) Close() error  { return nil }

// TestConcurrentSearchApplySnapshot: searches, gets and listings run while
// the log applies writes and snapshots are taken (run with -race).
func TestConcurrentSearchApplySnapshot(t *testing.T) {
	r := newReplica()
	r.apply(t, vectorstore.CreateCommand("ns", hnswDef(4), 5, ""))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := 0; w < 3; w++ {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if ix, ok := r.store.Index("ns"); ok {
					if _, err := ix.Search(randVec(rng, 4), 5, 0); err != nil {
						errs <- err
						return
					}
					ix.Get("v1")
				}
				r.store.List()
			}
		}()
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 1500; i++ {
		id := "v" + strconv.Itoa(rng.IntN(300))
		if i%5 == 0 {
			r.apply(t, vectorstore.DeleteCommand("ns", id, ""))
		} else {
			r.apply(t, vectorstore.InsertCommand("ns", id, randVec(rng, 4), ""))
		}
		if i%300 == 0 {
			var b bytes.Buffer
			persist(t, r.fsm, &b)
		}
	}
	close(done)
	for w := 0; w < 3; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
