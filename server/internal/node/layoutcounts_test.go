package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/norikv/norikv-console/server/internal/topology"
)

// TestStartCountsKeepsTheRecordedCountsNotGiven: a count not given on the
// command line (0) is the data dir's recorded one, so a data dir created
// with --groups 16 (the old default) keeps 16 when started without
// --groups; a count given is used as given (the data dir check refuses it
// when it differs), and then no recorded count is taken at all.
func TestStartCountsKeepsTheRecordedCountsNotGiven(t *testing.T) {
	const dS, dG = topology.DefaultTotalShards, 3 // the default on 3 nodes
	rec := func(s, g int) Recorded { return Recorded{Shards: s, Groups: g, OK: true} }
	for _, tc := range []struct {
		name           string
		shards, groups int
		rec            Recorded
		wantS, wantG   int
		wantKept       string
	}{
		{"new dir, nothing given: the defaults", 0, 0, Recorded{}, dS, dG, ""},
		{"new dir, few shards: groups at most the shards", 2, 0, Recorded{}, 2, 2, ""},
		{"new dir, both given", 64, 8, Recorded{}, 64, 8, ""},
		{"old default dir, nothing given: keeps 16 groups", 0, 0, rec(dS, 16), dS, 16, "--groups 16"},
		{"dir of the defaults, nothing given: nothing to say", 0, 0, rec(dS, dG), dS, dG, ""},
		{"groups given and recorded alike", 0, 16, rec(dS, 16), dS, 16, ""},
		{"groups given, other than recorded: as given (refused at start)", 0, 8, rec(dS, 16), dS, 8, ""},
		{"shards given alike, groups kept", 256, 0, rec(256, 16), 256, 16, "--groups 16"},
		{"shards given unlike the record: nothing kept (refused at start)", 512, 0, rec(256, 16), 512, dG, ""},
		{"groups given, shards kept", 0, 16, rec(256, 16), 256, 16, "--shards 256"},
		{"both kept", 0, 0, rec(256, 16), 256, 16, "--shards 256 --groups 16"},
		{"few recorded shards, groups equal to them: the clamped default", 0, 0, rec(2, 2), 2, 2, "--shards 2"},
		{"dir of the 6-group default (2026-12-02..03), nothing given: keeps 6", 0, 0, rec(dS, 6), dS, 6, "--groups 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, g, kept := StartCounts(tc.shards, tc.groups, 3, tc.rec)
			if s != tc.wantS || g != tc.wantG || kept != tc.wantKept {
				t.Errorf("StartCounts(%d, %d, %+v) = %d, %d, %q; want %d, %d, %q",
					tc.shards, tc.groups, tc.rec, s, g, kept, tc.wantS, tc.wantG, tc.wantKept)
			}
		})
	}
}

// TestRecordedLayoutReadsTheMarker: RecordedLayout reads what
// checkDataDirLayout wrote, reports no record for a new (or missing) dir,
// and refuses a damaged marker rather than guessing.
func TestRecordedLayoutReadsTheMarker(t *testing.T) {
	dir := t.TempDir()
	if r, err := RecordedLayout(filepath.Join(dir, "missing")); err != nil || r.OK {
		t.Fatalf("missing dir: %+v, %v; want no record", r, err)
	}
	if r, err := RecordedLayout(dir); err != nil || r.OK {
		t.Fatalf("new dir: %+v, %v; want no record", r, err)
	}
	if err := checkDataDirLayout(dir, topology.Layout{TotalShards: 256, Groups: 16}); err != nil {
		t.Fatal(err)
	}
	if r, err := RecordedLayout(dir); err != nil || r != (Recorded{Shards: 256, Groups: 16, OK: true}) {
		t.Fatalf("recorded dir: %+v, %v; want 256 shards, 16 groups", r, err)
	}
	if err := os.WriteFile(filepath.Join(dir, layoutMarker), []byte("shards=256 groups=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RecordedLayout(dir); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("damaged marker: %v; want an error saying so", err)
	}
}

// TestKeptCountsNoteNamesWhatWasKept: the line says which counts were
// kept and which defaults they override.
func TestKeptCountsNoteNamesWhatWasKept(t *testing.T) {
	got := KeptCountsNote("n1", "/d", "--groups 16", 3)
	want := "n1: data dir /d was created with --groups 16; keeping it (the default --groups 3 (one per node) is for new data dirs"
	if !strings.HasPrefix(got, want) {
		t.Errorf("note %q; want it to start %q", got, want)
	}
	if got := KeptCountsNote("n1", "/d", "--shards 256 --groups 16", 5); !strings.Contains(got, "keeping them (the default --shards 1024 --groups 5 (one group per node)") {
		t.Errorf("note %q; want both defaults named", got)
	}
}
