package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
)

func TestEscWithNothingToCloseGoesBackThroughHistory(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, press("3")) // Stats
	send(m, press("5")) // Keys
	send(m, press("4")) // Trace
	if got := strings.Join(m.History(), " "); got != "Cluster Stats Keys" {
		t.Fatalf("history %q", got)
	}
	for _, want := range []string{"Keys", "Stats", "Cluster", "Cluster"} {
		send(m, press("esc"))
		if got := m.Active().Title(); got != want {
			t.Fatalf("esc: active %s, want %s", got, want)
		}
	}
}

func TestEscClosesAnErrorBeforeGoingBack(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, press("4"))
	send(m, press("y")) // Trace has nothing to copy: an error
	if m.lastErr == nil {
		t.Fatal("no error")
	}
	send(m, press("esc"))
	if m.lastErr != nil || m.Active().Title() != "Trace" {
		t.Fatalf("first esc: err %v active %s", m.lastErr, m.Active().Title())
	}
	send(m, press("esc"))
	if m.Active().Title() != "Cluster" {
		t.Fatalf("second esc: active %s", m.Active().Title())
	}
}

func TestHistoryIsBounded(t *testing.T) {
	m := newRoot(t, 80, 24)
	for i := 0; i < 100; i++ {
		send(m, press("tab"))
	}
	if n := len(m.History()); n != historyLen {
		t.Fatalf("history holds %d panes, want %d", n, historyLen)
	}
}

// Each pane is kept as it was left: coming back shows the same screen
// (cursor, scroll).
func TestComingBackKeepsThePanesCursor(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, press("j"))
	send(m, press("j"))
	before := m.Active().View()
	send(m, press("2"))
	send(m, press("esc"))
	if m.Active().Title() != "Cluster" || m.Active().View() != before {
		t.Fatalf("came back to a different screen:\n%s\n---\n%s", before, m.Active().View())
	}
}

func TestPauseFreezesThePanesAndResumeDeliversWhatWasCollected(t *testing.T) {
	m := newRoot(t, 120, 40)
	frozen := m.Active().View()
	send(m, press("P"))
	if !m.Paused() || !strings.Contains(m.View(), "PAUSED") {
		t.Fatalf("not paused:\n%s", m.View())
	}
	v2, ev := uitest.MoveGroup(uitest.View(7, 3, 1024, 16), 16, 0, "n2")
	send(m, common.TopologyMsg{At: t0.Add(time.Second), View: v2, Event: ev})
	for i := 1; i <= 5; i++ {
		m.Update(common.TickMsg{At: t0.Add(time.Duration(i) * time.Second)}) // its command is the next tick
	}
	if m.ClusterView().Epoch != 8 {
		t.Fatalf("the root stopped collecting: epoch %d", m.ClusterView().Epoch)
	}
	if got := m.Active().View(); got != frozen {
		t.Fatalf("the pane changed while paused:\n%s", got)
	}
	if m.Held() != 2 { // the view, and the ticks collapsed into the last
		t.Fatalf("held %d updates, want 2", m.Held())
	}
	send(m, press("P"))
	if m.Paused() || m.Held() != 0 || strings.Contains(m.View(), "PAUSED") {
		t.Fatalf("still paused (held %d)", m.Held())
	}
	if got := m.Active().View(); got == frozen || !strings.Contains(got, "epoch 8") && !strings.Contains(m.View(), "epoch 8") {
		t.Fatalf("resume did not deliver the new view:\n%s", m.View())
	}
}

func TestPauseHoldsABoundedNumber(t *testing.T) {
	m := newRoot(t, 80, 24)
	send(m, press("P"))
	for i := 0; i < maxHeld+10; i++ {
		m.broadcast(common.StatsMsg{At: t0, Stats: client.Stats{}})
	}
	if m.Held() != maxHeld || m.dropped != 10 {
		t.Fatalf("held %d dropped %d", m.Held(), m.dropped)
	}
}

func TestRefreshRate(t *testing.T) {
	for _, s := range []string{"500ms", "1s", " 5s "} {
		if _, err := ParseRefresh(s); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"2s", "fast", "", "0"} {
		if _, err := ParseRefresh(s); err == nil || !strings.Contains(err.Error(), "500ms, 1s or 5s") {
			t.Fatalf("%q: %v", s, err)
		}
	}
	m := newRoot(t, 80, 24)
	if m.Refresh() != time.Second {
		t.Fatalf("default %v", m.Refresh())
	}
	m.setRefresh("500ms")
	if m.Refresh() != 500*time.Millisecond {
		t.Fatalf("after :refresh 500ms: %v", m.Refresh())
	}
	if _, err := New(Options{Common: uitest.Common(), Refresh: 2 * time.Second}); err == nil {
		t.Fatal("a 2s refresh was accepted")
	}
}

func TestRootViewIsPure(t *testing.T) {
	m := newRoot(t, 120, 40)
	uitest.RequirePureView(t, m, m.View)
}

func TestPaletteRefreshInlineAndPause(t *testing.T) {
	m := newRoot(t, 120, 40)
	send(m, press(":"))
	typeText(m, "refresh 5s")
	send(m, press("enter"))
	if m.Refresh() != 5*time.Second || m.PaletteStage() != "" {
		t.Fatalf("refresh %v, palette %q", m.Refresh(), m.PaletteStage())
	}
	send(m, press(":"))
	typeText(m, "refresh 2s")
	send(m, press("enter"))
	if m.lastErr == nil || !strings.Contains(m.lastErr.Error(), "500ms, 1s or 5s") || m.Refresh() != 5*time.Second {
		t.Fatalf("refresh 2s: err %v, refresh %v", m.lastErr, m.Refresh())
	}
	send(m, press(":"))
	typeText(m, "pause live")
	send(m, press("enter"))
	if !m.Paused() {
		t.Fatal("the palette did not pause")
	}
}

func TestGoldenPaused(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newRoot(t, sz[0], sz[1])
			send(m, press("P"))
			m.Update(common.TickMsg{At: t0.Add(time.Second)}) // held
			v := m.View()
			uitest.RequireSize(t, v, sz[0], sz[1])
			golden.RequireEqual(t, []byte(v))
		})
	}
}
