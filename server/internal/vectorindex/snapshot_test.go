package vectorindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestSnapshotRoundTrip restores indexes of every kind and distance, with
// tombstones and free slots pending, and checks that the restored index
// answers identically, re-snapshots to the same bytes, and keeps evolving
// identically under further operations (the PRNG state travels too).
func TestSnapshotRoundTrip(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 1200, Queries: 40, Dims: 20, Seed: 13})
	for _, kind := range kinds {
		for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
			name := kind.String() + "/" + d.String()
			cfg := Config{Dims: 20, Distance: d, Kind: kind, M: 10, EfConstruction: 50, EfSearch: 40, Seed: 3}
			orig := mustNew(t, cfg)
			applyOps(t, orig, set, 0, 2000)
			snap := snapshotBytes(t, orig)
			got, err := ReadSnapshot(bytes.NewReader(snap))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Config() != orig.Config() || got.Len() != orig.Len() || got.Bytes() <= 0 {
				t.Fatalf("%s: restored config %+v len %d, want %+v len %d", name, got.Config(), got.Len(), orig.Config(), orig.Len())
			}
			if !bytes.Equal(snapshotBytes(t, got), snap) {
				t.Fatalf("%s: re-snapshot differs", name)
			}
			sameResults(t, searchAll(t, orig, set), searchAll(t, got, set))
			v1, ok1 := orig.Get(vecID(7))
			v2, ok2 := got.Get(vecID(7))
			if ok1 != ok2 || !equalFloats(v1, v2) {
				t.Fatalf("%s: Get differs after restore", name)
			}
			applyOps(t, orig, set, 2000, 2600)
			applyOps(t, got, set, 2000, 2600)
			if !bytes.Equal(snapshotBytes(t, got), snapshotBytes(t, orig)) {
				t.Fatalf("%s: restored index diverged under further operations", name)
			}
		}
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSnapshotEmpty(t *testing.T) {
	for _, kind := range kinds {
		ix := mustNew(t, Config{Dims: 5, Distance: Cosine, Kind: kind})
		got, err := ReadSnapshot(bytes.NewReader(snapshotBytes(t, ix)))
		must(t, err)
		must(t, got.Upsert("a", []float32{1, 2, 3, 4, 5}))
		m, err := got.Search([]float32{1, 2, 3, 4, 5}, 1, 0)
		must(t, err)
		if len(m) != 1 || m[0].ID != "a" {
			t.Fatalf("%s: restored empty index does not work: %v", kind, m)
		}
	}
}

// TestSnapshotCorrupt truncates and damages a snapshot: every variant must
// fail with ErrCorruptSnapshot.
func TestSnapshotCorrupt(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 200, Queries: 1, Dims: 8, Seed: 1})
	ix := mustNew(t, Config{Dims: 8, Distance: Euclidean, Kind: HNSW, M: 4})
	applyOps(t, ix, set, 0, 300)
	snap := snapshotBytes(t, ix)
	for _, n := range []int{0, 3, 10, 40, len(snap) / 2, len(snap) - 1} {
		if _, err := ReadSnapshot(bytes.NewReader(snap[:n])); !errors.Is(err, ErrCorruptSnapshot) {
			t.Errorf("truncated to %d: error %v, want ErrCorruptSnapshot", n, err)
		}
	}
	for _, pos := range []int{0, 5, 9, 30, 45, 60, len(snap) / 3, len(snap) / 2, len(snap) - 9, len(snap) - 2} {
		bad := bytes.Clone(snap)
		bad[pos] ^= 0x41
		if _, err := ReadSnapshot(bytes.NewReader(bad)); !errors.Is(err, ErrCorruptSnapshot) {
			t.Errorf("byte %d flipped: error %v, want ErrCorruptSnapshot", pos, err)
		}
	}
}

// TestClone checks that a clone holds the same state and is independent.
func TestClone(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 600, Queries: 20, Dims: 12, Seed: 21})
	for _, kind := range kinds {
		ix := mustNew(t, Config{Dims: 12, Distance: Cosine, Kind: kind, M: 6, EfConstruction: 30})
		applyOps(t, ix, set, 0, 900)
		before := snapshotBytes(t, ix)
		c := ix.Clone()
		applyOps(t, ix, set, 900, 1500) // the original moves on
		if !bytes.Equal(snapshotBytes(t, c), before) {
			t.Fatalf("%s: clone changed with the original", kind)
		}
		applyOps(t, c, set, 900, 1500) // the clone catches up the same way
		if !bytes.Equal(snapshotBytes(t, c), snapshotBytes(t, ix)) {
			t.Fatalf("%s: clone diverged", kind)
		}
	}
}

func TestCheckHelpers(t *testing.T) {
	ix := mustNew(t, Config{Dims: 2, Distance: Euclidean, Kind: HNSW})
	if ix.CheckVector([]float32{1, 2}) != nil || !errors.Is(ix.CheckVector([]float32{1}), ErrDimension) {
		t.Fatal("CheckVector")
	}
	if ix.CheckQuery([]float32{1, 2}, 10) != nil || !errors.Is(ix.CheckQuery([]float32{1, 2}, 0), ErrInvalidK) {
		t.Fatal("CheckQuery")
	}
	if CheckID("a") != nil || !errors.Is(CheckID(""), ErrInvalidID) {
		t.Fatal("CheckID")
	}
	if ix.Len() != 0 {
		t.Fatal("checks changed the index")
	}
}

// TestSnapshotReadInPieces restores a snapshot (vectors of 200 dims, so
// fields straddle the reader's buffer) through readers that return a byte
// at a time, half of what is asked, or the last bytes with io.EOF: the
// index must come back the same; a reader failing midway gives its error.
func TestSnapshotReadInPieces(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 500, Queries: 1, Dims: 200, Seed: 5})
	ix := mustNew(t, Config{Dims: 200, Distance: Cosine, Kind: HNSW, M: 6, EfConstruction: 30})
	applyOps(t, ix, set, 0, 700)
	snap := snapshotBytes(t, ix)
	for name, r := range map[string]func() io.Reader{
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(snap)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(snap)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(snap)) },
	} {
		got, err := ReadSnapshot(r())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(snapshotBytes(t, got), snap) {
			t.Fatalf("%s: restored index differs", name)
		}
	}
	failing := io.MultiReader(bytes.NewReader(snap[:len(snap)/2]), iotest.ErrReader(iotest.ErrTimeout))
	if _, err := ReadSnapshot(failing); !errors.Is(err, iotest.ErrTimeout) || errors.Is(err, ErrCorruptSnapshot) {
		t.Fatalf("reader failing midway: error %v, want the reader's error", err)
	}
}

// TestSnapshotDuplicateID checks that a snapshot naming one id in two
// slots (checksums intact) is refused as corrupt, for both kinds.
func TestSnapshotDuplicateID(t *testing.T) {
	for _, kind := range kinds {
		ix := mustNew(t, Config{Dims: 2, Distance: Euclidean, Kind: kind})
		must(t, ix.Upsert("id-a", []float32{1, 2}))
		must(t, ix.Upsert("id-b", []float32{3, 4}))
		snap := snapshotBytes(t, ix)
		i := bytes.Index(snap, []byte("id-b"))
		if i < 0 {
			t.Fatalf("%s: id-b not in the snapshot", kind)
		}
		copy(snap[i:], "id-a")
		binary.LittleEndian.PutUint32(snap[len(snap)-4:], crc32.ChecksumIEEE(snap[:len(snap)-4]))
		if _, err := ReadSnapshot(bytes.NewReader(snap)); !errors.Is(err, ErrCorruptSnapshot) || !strings.Contains(err.Error(), "duplicate id") {
			t.Fatalf("%s: error %v, want a duplicate id as ErrCorruptSnapshot", kind, err)
		}
	}
}
