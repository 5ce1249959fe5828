package ui

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/journal"
	"github.com/norikv/norikv-console/ui/uitest"
	"github.com/norikv/norikv-console/views/cluster"
)

// panicPane is a pane that misbehaves on purpose: it panics in Update on
// "p", in View once viewPanics is set, and in the command "c" returns.
type panicPane struct {
	title      string
	viewPanics bool
	w, h       int
}

func (p *panicPane) Init() tea.Cmd { return nil }
func (p *panicPane) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.String() {
		case "p":
			var s []int
			_ = s[len(k.Runes)+4] // index out of range, like a real bug
		case "c":
			return tea.Batch(nil, func() tea.Msg { panic("boom in a command") })
		case "v":
			p.viewPanics = true
		}
	}
	return nil
}
func (p *panicPane) View() string {
	if p.viewPanics {
		panic("makeslice: len out of range")
	}
	return common.Fit("fine", p.w, p.h)
}
func (p *panicPane) SetSize(w, h int)          { p.w, p.h = w, h }
func (p *panicPane) Title() string             { return p.title }
func (p *panicPane) Actions() []common.Action  { return nil }
func (p *panicPane) ShortHelp() []key.Binding  { return nil }
func (p *panicPane) FullHelp() [][]key.Binding { return nil }

// rootWithJournal is newRoot with a console log in a temporary directory.
func rootWithJournal(t *testing.T, w, h int) (*Model, *journal.Journal) {
	t.Helper()
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	c := uitest.Common()
	m, err := New(Options{Common: c, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	send(m, tea.WindowSizeMsg{Width: w, Height: h})
	send(m, common.TopologyMsg{At: t0, View: uitest.View(7, 3, 1024, 16)})
	return m, j
}

func logText(t *testing.T, j *journal.Journal) string {
	t.Helper()
	path := j.LogPath()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPanicInUpdateStopsOnlyThatPane: a pane that panics in Update shows an
// error box saying what happened, the stack goes to the console log, the
// other panes keep working, and r brings a fresh pane back.
func TestPanicInUpdateStopsOnlyThatPane(t *testing.T) {
	m, j := rootWithJournal(t, 100, 30)
	m.panes[1] = &panicPane{title: "Events"}
	m.sizePane(1, 100, m.paneHeight())
	send(m, press("2"))
	send(m, press("p")) // must not take the test (the program) down
	v := m.View()
	uitest.RequireSize(t, v, 100, 30)
	if !strings.Contains(v, "The Events pane failed") || !strings.Contains(v, "index out of range") {
		t.Fatalf("no error box:\n%s", v)
	}
	if !strings.Contains(v, filepath.Base(j.LogPath())) {
		t.Fatalf("the box does not say where the stack is:\n%s", v)
	}
	// Other panes go on: the cluster pane still takes keys and draws.
	send(m, press("1"))
	cl := m.Active().(*cluster.Model)
	send(m, press("l"))
	if cl.Cursor() != 1 || !strings.Contains(m.View(), "n1") {
		t.Fatalf("cluster pane after another pane failed: cursor %d\n%s", cl.Cursor(), m.View())
	}
	// Broadcasts skip the failed pane rather than panicking again.
	m.Update(common.TickMsg{At: t0.Add(time.Second)}) // its command is the next tick
	send(m, press("2"))
	send(m, press("r"))
	if _, ok := m.Active().(*panicPane); ok || m.faults[1] != nil {
		t.Fatal("r did not replace the failed pane")
	}
	if v := m.View(); strings.Contains(v, "failed") {
		t.Fatalf("restarted pane still shows the error:\n%s", v)
	}
	log := logText(t, j)
	if !strings.Contains(log, "panic in the Events pane (Update)") || !strings.Contains(log, "guard_test.go") {
		t.Fatalf("console log lacks the panic and its stack:\n%s", log)
	}
}

// TestPanicInViewStopsOnlyThatPane: a pane whose View panics is drawn as an
// error box from then on, at the pane's exact size, without calling its View
// again.
func TestPanicInViewStopsOnlyThatPane(t *testing.T) {
	m, j := rootWithJournal(t, 80, 24)
	pp := &panicPane{title: "Stats"}
	m.panes[2] = pp
	m.sizePane(2, 80, m.paneHeight())
	send(m, press("3"))
	send(m, press("v"))
	for i := 0; i < 3; i++ {
		v := m.View()
		uitest.RequireSize(t, v, 80, 24)
		if !strings.Contains(v, "The Stats pane failed") || !strings.Contains(v, "makeslice") {
			t.Fatalf("no error box:\n%s", v)
		}
	}
	send(m, press("tab"))
	if v := m.View(); strings.Contains(v, "failed") || m.Active().Title() != "Trace" {
		t.Fatalf("the next pane shows the failure:\n%s", v)
	}
	if log := logText(t, j); strings.Count(log, "panic in the Stats pane (View)") != 1 {
		t.Fatalf("console log should hold the View panic once:\n%s", log)
	}
}

// TestPanicInCommandStopsOnlyThatPane: a command a pane returns (inside a
// batch) panics on Bubble Tea's goroutine; the root turns it into the pane's
// failure instead of the program's.
func TestPanicInCommandStopsOnlyThatPane(t *testing.T) {
	m, _ := rootWithJournal(t, 80, 24)
	m.panes[3] = &panicPane{title: "Trace"}
	m.sizePane(3, 80, m.paneHeight())
	send(m, press("4"))
	send(m, press("c")) // send runs the batch's commands like Bubble Tea does
	if m.faults[3] == nil || !strings.Contains(m.View(), "boom in a command") {
		t.Fatalf("command panic not caught as the pane's failure:\n%s", m.View())
	}
	if m.faults[0] != nil || m.faults[1] != nil {
		t.Fatal("other panes marked failed")
	}
}

// TestFaultBoxAndLogExactSize: the error box of a failed pane and the
// message log overlay fill exactly the pane's area at every size.
func TestFaultBoxAndLogExactSize(t *testing.T) {
	for _, sz := range uitest.Sizes {
		m := newRoot(t, sz[0], sz[1])
		m.setError(errors.New(strings.Repeat("a long error that wraps ", 12)))
		send(m, tea.KeyMsg{Type: tea.KeyCtrlL})
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
		send(m, press("esc"))
		m.panes[0] = &panicPane{title: "Cluster", viewPanics: true}
		uitest.RequireSize(t, m.View(), sz[0], sz[1])
	}
}

// TestGuardWrapsSequences: commands inside a tea.Sequence are wrapped too,
// keeping the sequence's type so Bubble Tea still runs them in order.
func TestGuardWrapsSequences(t *testing.T) {
	seq := tea.Sequence(func() tea.Msg { return "first" }, func() tea.Msg { panic("second fails") })
	msg := guardCmd(4, seq)()
	v := reflect.ValueOf(msg)
	if reflect.TypeOf(msg) != reflect.TypeOf(seq()) || v.Len() != 2 {
		t.Fatalf("sequence came back as %T", msg)
	}
	if got := v.Index(0).Interface().(tea.Cmd)(); got != "first" {
		t.Fatalf("first command gave %v", got)
	}
	f, ok := v.Index(1).Interface().(tea.Cmd)().(paneFaultMsg)
	if !ok || f.pane != 4 || f.fault.value != "second fails" || !strings.Contains(f.fault.stack, "guard_test.go") {
		t.Fatalf("panic in a sequenced command: %+v", f)
	}
}
