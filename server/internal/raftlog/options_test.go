package raftlog

import (
	"strings"
	"testing"

	"github.com/cockroachdb/pebble"
	"github.com/hashicorp/raft"
)

// TestTablesAreNotCompressed checks that flushed tables are written without
// block compression (Options in db.go): Raft entries are short lived and
// compressing them cost CPU on every flush and compaction of the write path.
func TestTablesAreNotCompressed(t *testing.T) {
	db := openTest(t, t.TempDir(), false)
	defer db.Close()
	s := mustStore(t, db, "group-1")
	data := strings.Repeat("compressible ", 8)
	var batch []*raft.Log
	for i := uint64(1); i <= 2000; i++ {
		batch = append(batch, entry(i, 1, data))
		if len(batch) == 100 {
			if err := s.StoreLogs(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := db.pdb.Flush(); err != nil {
		t.Fatal(err)
	}
	levels, err := db.pdb.SSTables(pebble.WithProperties())
	if err != nil {
		t.Fatal(err)
	}
	tables := 0
	for _, level := range levels {
		for _, tbl := range level {
			tables++
			if c := tbl.Properties.CompressionName; c != "NoCompression" {
				t.Errorf("table %s written with compression %q, want NoCompression", tbl.FileNum, c)
			}
		}
	}
	if tables == 0 {
		t.Fatal("the flush wrote no table")
	}
}
