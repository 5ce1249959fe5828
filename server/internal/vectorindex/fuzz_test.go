package vectorindex

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadSnapshot feeds damaged snapshots to ReadSnapshot: it must return
// an index or an error, never panic. Plain `go test` runs the seed corpus;
// `go test -fuzz FuzzReadSnapshot` explores further.
func FuzzReadSnapshot(f *testing.F) {
	for _, kind := range kinds {
		ix, err := New(Config{Dims: 3, Distance: Cosine, Kind: kind, M: 2})
		if err != nil {
			f.Fatal(err)
		}
		for i := range 20 {
			if err := ix.Upsert(vecID(i), []float32{float32(i), 1, -float32(i % 3)}); err != nil {
				f.Fatal(err)
			}
			if i%4 == 0 {
				ix.Delete(vecID(i / 2))
			}
		}
		var buf bytes.Buffer
		if err := ix.WriteSnapshot(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:buf.Len()/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ReadSnapshot(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrCorruptSnapshot) {
				t.Fatalf("error %v is not ErrCorruptSnapshot", err)
			}
			return
		}
		// A snapshot that decodes must give a working index.
		q := make([]float32, ix.Config().Dims)
		if _, err := ix.Search(q, 3, 0); err != nil {
			t.Fatal(err)
		}
	})
}
