package ui

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/norikv/norikv-console/ui/common"
)

// A pane that panics is stopped, not the program: the root catches panics in
// a pane's Init, Update, View and SetSize and in the commands it returns,
// shows an error box in the pane's place and writes the stack to the console
// log. The other panes, the feed and the embedded cluster go on.

// paneFault is a panic caught in a pane.
type paneFault struct {
	where string // "Update", "View", "a command", ...
	value string
	stack string
	at    time.Time
}

// paneFaultMsg carries a panic caught in a pane's command back to the root.
type paneFaultMsg struct {
	pane  int
	fault paneFault
}

func newFault(where string, r any) paneFault {
	return paneFault{where: where, value: fmt.Sprint(r), stack: string(debug.Stack()), at: time.Now()}
}

// fail records a pane's fault (the first one: later ones are its echoes),
// logs it with the stack and tells the user where to look.
func (m *Model) fail(i int, f paneFault) {
	if m.faults[i] != nil {
		return
	}
	m.faults[i] = &f
	title := m.panes[i].Title()
	m.journal.Logf("panic in the %s pane (%s): %s\n%s", title, f.where, f.value, f.stack)
	m.note(levelError, fmt.Sprintf("the %s pane failed (%s: %s) and was stopped; other panes go on", title, f.where, f.value), 0, false)
}

// updatePane runs pane i's Update, catching a panic.
func (m *Model) updatePane(i int, msg tea.Msg) (cmd tea.Cmd) {
	if m.faults[i] != nil {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			m.fail(i, newFault("Update", r))
			cmd = nil
		}
	}()
	return guardCmd(i, m.panes[i].Update(msg))
}

// initPane runs pane i's Init, catching a panic.
func (m *Model) initPane(i int) (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.fail(i, newFault("Init", r))
			cmd = nil
		}
	}()
	return guardCmd(i, m.panes[i].Init())
}

// sizePane runs pane i's SetSize, catching a panic.
func (m *Model) sizePane(i, w, h int) {
	if m.faults[i] != nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			m.fail(i, newFault("SetSize", r))
		}
	}()
	m.panes[i].SetSize(w, h)
}

// viewPane renders pane i, or its error box once it has failed.
func (m *Model) viewPane(i int) (out string) {
	if f := m.faults[i]; f != nil {
		return m.faultBox(i, f)
	}
	defer func() {
		if r := recover(); r != nil {
			m.fail(i, newFault("View", r))
			out = m.faultBox(i, m.faults[i])
		}
	}()
	return m.panes[i].View()
}

// guardCmd wraps a pane's command so a panic in it becomes a paneFaultMsg;
// commands it returns in a batch or sequence are wrapped too.
func guardCmd(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = paneFaultMsg{pane: i, fault: newFault("a command", r)}
			}
		}()
		return guardNested(i, cmd())
	}
}

// cmdType is the type of tea.Cmd, to find lists of commands (tea.BatchMsg
// and Bubble Tea's unexported sequence message) among messages.
var cmdType = reflect.TypeOf((tea.Cmd)(nil))

// guardNested wraps the commands inside a batch or sequence message, keeping
// its type so Bubble Tea still runs them the same way.
func guardNested(i int, msg tea.Msg) tea.Msg {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return msg
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for k := 0; k < v.Len(); k++ {
		c, _ := v.Index(k).Interface().(tea.Cmd)
		out.Index(k).Set(reflect.ValueOf(guardCmd(i, c)))
	}
	return out.Interface()
}

// restartPane replaces a failed pane with a fresh one, sized and fed the
// current cluster view.
func (m *Model) restartPane(i int) tea.Cmd {
	p, err := m.build(i)
	if err != nil {
		m.note(levelError, fmt.Sprintf("restart the %s pane: %v", m.panes[i].Title(), err), 0, false)
		return nil
	}
	m.panes[i], m.faults[i] = p, nil
	m.sizePane(i, m.width, m.paneHeight())
	cmds := []tea.Cmd{m.initPane(i)}
	if m.view != nil {
		cmds = append(cmds, m.updatePane(i, common.TopologyMsg{At: time.Now(), View: m.view}))
	}
	m.note(levelInfo, "the "+p.Title()+" pane was restarted", 0, false)
	return tea.Batch(cmds...)
}

// faultBox is the failed pane's place: what happened, where the stack is,
// and how to get the pane back. Exactly the pane's size.
func (m *Model) faultBox(i int, f *paneFault) string {
	st := m.common.Styles
	w, h := m.width, m.paneHeight()
	if w <= 0 || h <= 0 {
		return ""
	}
	where := "the console log"
	if p := m.journal.LogPath(); p != "" {
		where = p
	}
	lines := []string{
		st.StatusError.Render(fmt.Sprintf("✗ The %s pane failed and was stopped.", m.panes[i].Title())),
		"",
		fmt.Sprintf("In %s: %s", f.where, f.value),
		"",
		st.Muted.Render("The stack is in " + where + "."),
		st.Muted.Render("Other panes and the cluster keep working."),
		"",
		"Press " + st.HelpKey.Render("r") + " to restart this pane, or switch to another one.",
	}
	inner := max(1, min(w, 76)-4)
	var wrapped []string
	for _, l := range lines {
		wrapped = append(wrapped, wrapLine(l, inner)...)
	}
	box := st.Overlay.Render(common.Fit(strings.Join(wrapped, "\n"), inner, len(wrapped)))
	return common.Fit(box, w, h)
}

// wrapLine splits a plain or styled line into width-wide pieces on spaces.
func wrapLine(s string, width int) []string {
	words := strings.Split(s, " ")
	var out []string
	cur := ""
	for _, wd := range words {
		switch {
		case cur == "":
			cur = wd
		case len([]rune(cur))+1+len([]rune(wd)) <= width:
			cur += " " + wd
		default:
			out = append(out, cur)
			cur = wd
		}
	}
	return append(out, cur)
}
