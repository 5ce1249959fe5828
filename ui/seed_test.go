package ui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

// TestSeedShowsProgressAndAPartialSeedSaysSo: while the sample data loads
// the status line shows how far it got; a partial seed is an error naming
// what is missing and pointing at :seed, which loads it again.
func TestSeedShowsProgressAndAPartialSeedSaysSo(t *testing.T) {
	release := make(chan struct{})
	runs := 0
	seed := func(ctx context.Context, progress func(SeedProgress)) SeedReport {
		runs++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("seeding runs without a budget")
		}
		if runs == 1 {
			progress(SeedProgress{Step: "vectors into demo-clustered", Done: 500, Total: 2000})
			<-release
			return SeedReport{Loaded: "8 sample keys (3 with a TTL)", Missing: []string{"1284 of 2000 vectors in demo-clustered (context deadline exceeded)"}}
		}
		return SeedReport{Loaded: "8 sample keys (3 with a TTL), demo-clustered (2000)"}
	}
	m, err := New(Options{Common: uitest.Common(), Seed: seed, SeedAtStart: true})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 120, Height: 30})
	send(m, common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	next := m.startSeed()
	_, next = m.Update(next()) // the progress report
	if sl := statusLineOf(m); !strings.Contains(sl, "loading sample data: vectors into demo-clustered 500/2000") || !m.Seeding() {
		t.Fatalf("no progress in the status line: %q", sl)
	}
	close(release)
	m.Update(next())
	sl := statusLineOf(m)
	if m.LastError() == nil || !strings.Contains(sl, "✗ sample data incomplete: 1284 of 2000 vectors in demo-clustered") {
		t.Fatalf("partial seed not shown as an error: %q", sl)
	}
	if all := m.Messages(); !strings.Contains(all[len(all)-1].Text, ":seed retries") {
		t.Fatalf("the message does not say :seed retries: %q", all[len(all)-1].Text)
	}
	send(m, press(":"))
	typeText(m, "seed")
	send(m, press("enter"))
	if runs != 2 || m.LastError() != nil || !strings.Contains(m.StatusMessage(), "sample data ready") {
		t.Fatalf(":seed: runs %d, status %q, err %v", runs, m.StatusMessage(), m.LastError())
	}
}

// TestSeedRefusedWhereItMakesNoSense: :seed is not offered on an external
// cluster, and is refused on a read-only profile.
func TestSeedRefusedWhereItMakesNoSense(t *testing.T) {
	m := newRoot(t, 100, 30)
	send(m, press(":"))
	typeText(m, "seed sample")
	for _, title := range m.PaletteMatches() {
		if title == "Seed sample data" {
			t.Fatal(":seed offered without an embedded cluster")
		}
	}
	c := uitest.Common()
	c.ReadOnly = true
	ro, err := New(Options{Common: c, Seed: func(context.Context, func(SeedProgress)) SeedReport {
		t.Error("seeded a read-only profile")
		return SeedReport{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if cmd := ro.startSeed(); cmd != nil || ro.LastError() == nil || !strings.Contains(ro.LastError().Error(), "read-only") {
		t.Fatalf("read-only seed: %v", ro.LastError())
	}
}
