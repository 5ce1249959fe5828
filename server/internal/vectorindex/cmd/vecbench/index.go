package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/norikv/norikv-console/server/datagen"
	"github.com/norikv/norikv-console/server/internal/vectorindex"
)

// buildOrLoad returns the HNSW index of set: read from o.index when that
// file exists (timing rounds after the first skip the build), otherwise
// built one vector at a time and, with o.index set, written there. built
// says which.
func buildOrLoad(o options, dist vectorindex.Distance, set *datagen.Set) (ix *vectorindex.Index, built bool, err error) {
	if o.index != "" {
		f, err := os.Open(o.index)
		if err == nil {
			defer f.Close()
			ix, err := vectorindex.ReadSnapshot(bufio.NewReaderSize(f, 1<<20))
			if err != nil {
				return nil, false, fmt.Errorf("read -index %s: %w (delete it to rebuild)", o.index, err)
			}
			cfg := ix.Config()
			if cfg.Dims != o.dims || cfg.Distance != dist || cfg.M != o.m || cfg.EfConstruction != o.efc || ix.Len() != o.n {
				return nil, false, fmt.Errorf("-index %s holds %d x %d %s M=%d efC=%d, not what the flags ask: delete it or pass another file",
					o.index, ix.Len(), cfg.Dims, cfg.Distance, cfg.M, cfg.EfConstruction)
			}
			return ix, false, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
	}
	ix, err = vectorindex.New(vectorindex.Config{Dims: o.dims, Distance: dist, Kind: vectorindex.HNSW,
		M: o.m, EfConstruction: o.efc, Seed: 1})
	if err != nil {
		return nil, false, err
	}
	for i := range o.n {
		if err := ix.Upsert(strconv.Itoa(i), set.Row(set.Base, i)); err != nil {
			return nil, false, err
		}
	}
	if o.index != "" {
		if err := writeIndex(ix, o.index); err != nil {
			return nil, false, err
		}
	}
	return ix, true, nil
}

func writeIndex(ix *vectorindex.Index, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := ix.WriteSnapshot(w); err != nil {
		f.Close()
		return fmt.Errorf("write -index %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write -index %s: %w", path, err)
	}
	return f.Close()
}
