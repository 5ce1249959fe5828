package ui

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/norikv/norikv-console/client"
	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/uitest"
	"github.com/norikv/norikv-console/views/cluster"
	"github.com/norikv/norikv-console/views/events"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newRoot(t testing.TB, w, h int, mutate ...func(*common.Common)) *Model {
	t.Helper()
	c := uitest.Common()
	for _, f := range mutate {
		f(&c)
	}
	m, err := New(Options{Common: c})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(common.TickMsg{At: t0}) // its command is the next tick, a second away
	send(m, common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	return m
}

// send runs one message through Update and then every message its commands
// produce (commands here never touch the network: there is no client).
func send(m *Model, msg tea.Msg) {
	_, cmd := m.Update(msg)
	run(m, cmd)
}

func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			run(m, c)
		}
	case tea.QuitMsg:
	default:
		send(m, msg)
	}
}

func press(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func TestGolden(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			m := newRoot(t, sz[0], sz[1], func(c *common.Common) { c.ReadOnly = true })
			golden.RequireEqual(t, []byte(m.View()))
		})
	}
}

func TestEveryPaneExactSizeThroughTheRoot(t *testing.T) {
	for _, sz := range uitest.Sizes {
		m := newRoot(t, sz[0], sz[1])
		for i := range m.Panes() {
			send(m, press(fmt.Sprint(i+1)))
			uitest.RequireSize(t, m.View(), sz[0], sz[1])
		}
		send(m, press("?"))
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
		send(m, press("esc"))
		send(m, press(":"))
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}

func TestTooSmall(t *testing.T) {
	m := newRoot(t, 30, 6)
	if v := m.View(); !strings.Contains(v, "terminal too small") {
		t.Fatalf("30x6 view:\n%s", v)
	}
}

func TestNavigation(t *testing.T) {
	m := newRoot(t, 80, 24)
	steps := []struct {
		key, want string
	}{{"2", "Events"}, {"tab", "Stats"}, {"tab", "Trace"}, {"tab", "Keys"}, {"tab", "Vectors"}, {"tab", "TTL"}, {"tab", "Cluster"}, {"shift+tab", "TTL"}, {"1", "Cluster"}, {"9", "Cluster"}}
	for _, s := range steps {
		send(m, press(s.key))
		if got := m.Active().Title(); got != s.want {
			t.Fatalf("after %q: active %s, want %s", s.key, got, s.want)
		}
	}
	// Clicking the third tab on the tab bar (line 1).
	x := m.tabs[2].from + 1
	send(m, tea.MouseMsg{X: x, Y: 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if got := m.Active().Title(); got != "Stats" {
		t.Fatalf("click on tab 3: active %s", got)
	}
	// Clicking a heatmap cell moves the cluster cursor.
	send(m, press("1"))
	cl := m.Active().(*cluster.Model)
	m.View()
	send(m, tea.MouseMsg{X: 5 + 3, Y: m.paneTop() + 5, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if cl.Cursor() != 3 {
		t.Fatalf("click on the 4th cell of the first heatmap row: cursor %d, want 3", cl.Cursor())
	}
	send(m, tea.MouseMsg{Y: m.paneTop() + 6, Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if cl.Cursor() <= 3 {
		t.Fatalf("wheel down did not move the cursor: %d", cl.Cursor())
	}
	_, cmd := m.Update(press("q"))
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}

func TestHelpOverlayIsSearchable(t *testing.T) {
	m := newRoot(t, 80, 24)
	send(m, press("?"))
	if !m.HelpOpen() {
		t.Fatal("? did not open help")
	}
	v := m.View()
	for _, want := range []string{"move shard leader", "quit", "commands"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	typeText(m, "leader")
	if v := m.View(); strings.Contains(v, "next pane") || !strings.Contains(v, "move shard leader") {
		t.Errorf("help search did not filter:\n%s", v)
	}
	// q typed into the search must not quit.
	_, cmd := m.Update(press("q"))
	if cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Fatal("q in the help search quit the console")
		}
	}
	send(m, press("esc"))
	if m.HelpOpen() {
		t.Fatal("esc did not close help")
	}
}

func TestPaletteSwitchesPaneAndTheme(t *testing.T) {
	m := newRoot(t, 80, 24)
	send(m, press(":"))
	if m.PaletteStage() != "choose" {
		t.Fatalf("palette stage %q", m.PaletteStage())
	}
	typeText(m, "go sta")
	if got := m.PaletteMatches(); len(got) == 0 || got[0] != "Go to Stats" {
		t.Fatalf("matches for 'go sta': %v", got)
	}
	send(m, press("enter"))
	if m.PaletteStage() != "" || m.Active().Title() != "Stats" {
		t.Fatalf("after enter: stage %q, active %s", m.PaletteStage(), m.Active().Title())
	}
	send(m, press(":"))
	typeText(m, "trace key")
	send(m, press("enter"))
	if m.PaletteStage() != "prompt" {
		t.Fatalf("trace key: stage %q, want prompt", m.PaletteStage())
	}
	typeText(m, "user:1")
	send(m, press("enter"))
	if m.Active().Title() != "Trace" {
		t.Fatalf("trace key did not show the trace pane: %s", m.Active().Title())
	}
	send(m, press(":"))
	send(m, press("esc"))
	if m.PaletteStage() != "" {
		t.Fatal("esc did not close the palette")
	}
}

func TestPaletteTransferNeedsConfirmationAndRespectsReadOnly(t *testing.T) {
	m := newRoot(t, 80, 24, func(c *common.Common) { c.ReadOnly = true })
	// Read-only refuses before asking (issue 11 item 6): no confirmation.
	send(m, press(":"))
	typeText(m, "move leader of shard 0 to n2")
	send(m, press("enter"))
	if m.PaletteStage() != "" {
		t.Fatalf("stage %q, want the palette closed by the refusal", m.PaletteStage())
	}
	if err := m.LastError(); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only transfer from the palette: err %v", err)
	}
	send(m, press("t")) // the cluster pane's shortcut for the same action
	if m.PaletteStage() != "" {
		t.Fatalf("t: stage %q", m.PaletteStage())
	}
	if err := m.LastError(); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only transfer: err %v", err)
	}
	if !strings.Contains(m.View(), "read-only profile") {
		t.Errorf("status line lacks the error:\n%s", m.View())
	}
}

func TestFilter(t *testing.T) {
	m := newRoot(t, 80, 24)
	send(m, press("/"))
	if !m.Filtering() {
		t.Fatal("/ did not open the filter")
	}
	typeText(m, "7448")
	v := m.View()
	if !strings.Contains(v, "[2] n2   127.0.0.1:7448") || strings.Contains(v, "[1] n1   127.0.0.1:7447") {
		t.Fatalf("filter 7448 on the nodes table:\n%s", v)
	}
	send(m, press("enter"))
	if m.Filtering() {
		t.Fatal("enter did not close the filter input")
	}
	if strings.Contains(m.View(), "[1] n1   127.0.0.1:7447") {
		t.Fatal("enter did not keep the filter")
	}
	send(m, press("esc"))
	if !strings.Contains(m.View(), "[1] n1   127.0.0.1:7447") {
		t.Fatal("esc did not clear the filter")
	}
	send(m, press("4"))
	send(m, press("/"))
	if m.Filtering() || m.LastError() == nil {
		t.Fatal("filter on the trace pane should say it has no list")
	}
}

func TestResize(t *testing.T) {
	m := newRoot(t, 80, 24)
	for _, sz := range [][2]int{{120, 40}, {45, 9}, {200, 60}, {80, 24}} {
		send(m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}

func TestTopologyEventsArriving(t *testing.T) {
	m := newRoot(t, 80, 24)
	v := m.ClusterView()
	v2, ev := uitest.MoveGroup(v, 16, 2, "n1")
	send(m, common.TopologyMsg{At: t0.Add(time.Second), View: v2, Event: ev})
	if m.ClusterView().Epoch != 8 || !strings.Contains(m.View(), "epoch 8") {
		t.Fatalf("header did not follow the epoch:\n%s", m.View())
	}
	cl := m.Panes()[0].(*cluster.Model)
	if !cl.Flashing(128) || cl.Flashing(0) {
		t.Fatal("moved shards do not flash, or unmoved ones do")
	}
	// An older view (a late initial fetch) is ignored.
	send(m, common.TopologyMsg{At: t0.Add(2 * time.Second), View: v})
	if m.ClusterView().Epoch != 8 {
		t.Fatal("an older view replaced the newer one")
	}
	evs := m.Panes()[1].(*events.Model).Entries()
	if len(evs) != 2 || evs[0].Moves[0].String() != "64 shards n3 -> n1 (128-191)" {
		t.Fatalf("events = %+v", evs)
	}
	send(m, press("2"))
	if !strings.Contains(m.View(), "64 shards n3 -> n1") {
		t.Fatalf("timeline lacks the move:\n%s", m.View())
	}
	// Flashes end after a few seconds of ticks.
	m.Update(common.TickMsg{At: t0.Add(10 * time.Second)})
	if cl.Flashing(128) {
		t.Fatal("flash did not expire")
	}
}

func TestCheckKeys(t *testing.T) {
	if bad, err := CheckKeys(map[string][]string{"quit": {"ctrl+q"}, "cluster.transfer": {"T"}}); err != nil {
		t.Fatalf("valid keys: %s %v", bad, err)
	}
	bad, err := CheckKeys(map[string][]string{"cluster.fly": {"f"}})
	if bad != "cluster.fly" || err == nil || !strings.Contains(err.Error(), "unknown action") {
		t.Fatalf("bad action: %q %v", bad, err)
	}
	m, err := New(Options{Common: uitest.Common(), KeyOverrides: map[string][]string{"quit": {"ctrl+q"}}})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if _, cmd := m.Update(press("q")); cmd != nil {
		if _, ok := cmd().(tea.QuitMsg); ok {
			t.Fatal("q still quits after rebinding quit to ctrl+q")
		}
	}
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlQ}); cmd == nil {
		t.Fatal("ctrl+q does not quit after rebinding")
	}
}

func TestThemeSwitchFromThePalette(t *testing.T) {
	c := uitest.Common()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	m, err := New(Options{Common: c, Renderer: r})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	send(m, press(":"))
	typeText(m, "theme light")
	send(m, press("enter"))
	if got := c.Styles.Theme.Name; got != "light" {
		t.Fatalf("theme after the palette: %s", got)
	}
	// Panes share the styles: the tab bar now draws with the light accent.
	if !strings.Contains(m.View(), "38;5;26") && !strings.Contains(m.View(), "48;5;26") {
		t.Errorf("view does not use the light theme's accent colour")
	}
}

// loseEveryNode has the client of a connected root flag every node of the
// test view unreachable at at (after 10 views received), and returns those
// stats for the test to go on from.
func loseEveryNode(m *Model, at time.Time) client.Stats {
	st := client.Stats{}
	st.Topology.UnreachableNodes = []string{"n1", "n2", "n3"}
	st.Topology.ViewsReceived = 10
	send(m, common.StatsMsg{At: at, Stats: st})
	return st
}
