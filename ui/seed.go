package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// SeedBudget bounds one seeding run. It is the seed's own: connecting has
// its own deadline, and on a busy machine loading the sample vectors takes
// longer than connecting.
const SeedBudget = 2 * time.Minute

// SeedProgress is how far a seeding run got.
type SeedProgress struct {
	Step        string // e.g. "vectors into demo-clustered"
	Done, Total int
}

// SeedReport is the outcome of a seeding run.
type SeedReport struct {
	// Loaded says what is there, e.g. "8 sample keys, 2 vector indexes".
	Loaded string
	// Missing lists what could not be loaded, each with why; empty when the
	// sample data is complete.
	Missing []string
}

// SeedFunc loads the sample data within ctx, reporting progress as it goes.
// Running it again must be safe (writes are upserts).
type SeedFunc func(ctx context.Context, progress func(SeedProgress)) SeedReport

// seedState is a seeding run in progress.
type seedState struct {
	running  bool
	progress SeedProgress
	msgs     chan tea.Msg
}

func (s *seedState) progressText() string {
	p := s.progress
	if p.Total == 0 {
		return "loading sample data…"
	}
	return fmt.Sprintf("loading sample data: %s %d/%d", p.Step, p.Done, p.Total)
}

// seedProgressMsg and seedDoneMsg come from the seeding goroutine.
type (
	seedProgressMsg struct{ p SeedProgress }
	seedDoneMsg     struct{ r SeedReport }
)

// Seeding reports whether sample data is being loaded.
func (m *Model) Seeding() bool { return m.seeding != nil && m.seeding.running }

// startSeed loads the sample data off the event loop within SeedBudget.
func (m *Model) startSeed() tea.Cmd {
	if m.seed == nil {
		m.setError(fmt.Errorf("seed: sample data is loaded only into the embedded cluster (run without --nodes)"))
		return nil
	}
	if m.common.ReadOnly {
		m.setError(fmt.Errorf("seed: read-only profile: writes are disabled (start without --read-only)"))
		return nil
	}
	if m.Seeding() {
		m.setInfo("sample data is already loading")
		return nil
	}
	s := &seedState{running: true, msgs: make(chan tea.Msg, 8)}
	m.seeding = s
	seed, msgs := m.seed, s.msgs
	start := func() tea.Msg {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), SeedBudget)
			defer cancel()
			r := seed(ctx, func(p SeedProgress) {
				select { // the newest progress wins; never hold the seed up
				case msgs <- seedProgressMsg{p}:
				default:
				}
			})
			msgs <- seedDoneMsg{r}
		}()
		return <-msgs
	}
	return start
}

func (m *Model) nextSeedMsg() tea.Cmd {
	msgs := m.seeding.msgs
	return func() tea.Msg { return <-msgs }
}

func (m *Model) onSeedProgress(msg seedProgressMsg) tea.Cmd {
	if m.seeding == nil {
		return nil
	}
	m.seeding.progress = msg.p
	return m.nextSeedMsg()
}

func (m *Model) onSeedDone(msg seedDoneMsg) tea.Cmd {
	if m.seeding != nil {
		m.seeding.running = false
	}
	// The panes listed before the data was there (keys showed 3 of 8):
	// they read again, after a partial seed too.
	changed := m.broadcast(common.DataChangedMsg{})
	r := msg.r
	if len(r.Missing) == 0 {
		m.setInfo("sample data ready: " + r.Loaded)
		return changed
	}
	defer m.note(levelError, fmt.Sprintf("sample data incomplete: %s; loaded %s — :seed retries", strings.Join(r.Missing, "; "), orNothing(r.Loaded)), 0, false)
	return changed
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
