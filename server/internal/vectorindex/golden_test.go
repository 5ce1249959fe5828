package vectorindex

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/datagen"
)

// TestGraphGolden pins the graph a fixed sequence of upserts, moves and
// deletes builds, for every distance, as the SHA-256 of its snapshot (and
// the results of searches on it). Replicas running different builds of
// this package apply the same log and must still hold the same graph, so
// a speed-up of the insert or search path must not change a single edge;
// a change that means to alter the graph must say so and update the hashes.
func TestGraphGolden(t *testing.T) {
	set := datagen.Generate(datagen.Spec{N: 2000, Queries: 50, Dims: 40, Seed: 21})
	// Float rounding differs between the assembly and the pure-Go kernels,
	// and on this data it shows in the cosine graph.
	want := map[string]map[Distance]string{
		"avx2+fma": {
			Euclidean:    "3173f640651adcdbc12c16ce03955619d32bdf64a8921574270ebc9b574cf652",
			Cosine:       "3bcf286eb78707530501a4000d0ffc0b1dcfdb8c2e36e99af61e9c0ce6478cfc",
			InnerProduct: "722a8ba70ec86c30eb76bd490b943f67e17571a97ef4c0ab7f49ba396973aad5",
		},
		"generic": {
			Euclidean:    "3173f640651adcdbc12c16ce03955619d32bdf64a8921574270ebc9b574cf652",
			Cosine:       "7b8841300dc70a5ebd93c37b2187f8d4ecae130be964c62eafb6f706cb6578b8",
			InnerProduct: "722a8ba70ec86c30eb76bd490b943f67e17571a97ef4c0ab7f49ba396973aad5",
		},
	}[kernelName]
	for _, d := range []Distance{Euclidean, Cosine, InnerProduct} {
		ix := mustNew(t, Config{Dims: 40, Distance: d, Kind: HNSW, M: 8, EfConstruction: 80, Seed: 9})
		applyOps(t, ix, set, 0, 4000)
		h := sha256.New()
		h.Write(snapshotBytes(t, ix))
		for _, ms := range searchAll(t, ix, set) {
			for _, m := range ms {
				h.Write([]byte(m.ID))
			}
		}
		got := hex.EncodeToString(h.Sum(nil))
		if got != want[d] {
			t.Errorf("%s: graph hash %s, want %s", d, got, want[d])
		}
	}
	if t.Failed() {
		t.Log(strings.Repeat("-", 10), "the graph or the results changed; see the doc comment")
	}
}
