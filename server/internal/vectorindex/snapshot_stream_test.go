package vectorindex

import (
	"bufio"
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestSnapshotsInOneStream reads two snapshots and a trailer written back
// to back, as a vector store's snapshot section holds them, from one
// 64 KiB bufio.Reader: each snapshot must be read from where the one before
// ended, and the trailer must follow. A reader that buffered ahead of the
// snapshot's end lost the next one's first bytes ("namespace 2 of 2: bad
// length" when a node restored a snapshot with two indexes).
func TestSnapshotsInOneStream(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 300, Queries: 1, Dims: 24, Seed: 9})
	a := mustNew(t, Config{Dims: 24, Distance: Euclidean, Kind: HNSW, M: 6, EfConstruction: 30})
	applyOps(t, a, set, 0, 300)
	b := mustNew(t, Config{Dims: 24, Distance: Cosine, Kind: BruteForce})
	applyOps(t, b, set, 0, 200)
	snapA, snapB := snapshotBytes(t, a), snapshotBytes(t, b)
	trailer := []byte("after the snapshots")
	stream := bytes.Join([][]byte{snapA, snapB, trailer}, nil)
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(stream),
		"one byte": iotest.OneByteReader(bytes.NewReader(stream)),
	} {
		br := bufio.NewReaderSize(r, 1<<16)
		for i, want := range [][]byte{snapA, snapB} {
			got, err := ReadSnapshot(br)
			if err != nil {
				t.Fatalf("%s: snapshot %d: %v", name, i+1, err)
			}
			if !bytes.Equal(snapshotBytes(t, got), want) {
				t.Fatalf("%s: snapshot %d restored differently", name, i+1)
			}
		}
		rest, err := io.ReadAll(br)
		if err != nil || !bytes.Equal(rest, trailer) {
			t.Fatalf("%s: after the snapshots the stream holds %q (%v), want %q", name, rest, err, trailer)
		}
	}
}
