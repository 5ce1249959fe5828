package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/common"
	"github.com/norikv/norikv-console/ui/msglog"
)

// logBinding opens the message log. Not L: the vectors pane uses L to import.
func logBinding() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "message log (also :log)"))
}

// logView is the message log overlay's state.
type logView struct {
	open       bool
	writesOnly bool
	top        int // first line shown, newest entry first
}

// OpenLog is the message the :log command sends.
type OpenLog struct{ WritesOnly bool }

func (m *Model) logKey() string { return m.logKeys.Help().Key }

// openLog shows the message log from its newest entry.
func (m *Model) openLog(writesOnly bool) {
	m.logView = logView{open: true, writesOnly: writesOnly}
}

// LogOpen reports whether the message log overlay is shown, and whether it
// shows only the writes.
func (m *Model) LogOpen() (open, writesOnly bool) { return m.logView.open, m.logView.writesOnly }

func (m *Model) updateLog(msg tea.KeyMsg) tea.Cmd {
	lv := &m.logView
	g := m.common.Keys
	switch {
	case msg.String() == "esc", msg.String() == "q", key.Matches(msg, m.logKeys):
		lv.open = false
	case msg.String() == "w":
		lv.writesOnly, lv.top = !lv.writesOnly, 0
	case key.Matches(msg, g.Up):
		lv.top--
	case key.Matches(msg, g.Down):
		lv.top++
	case key.Matches(msg, g.PageUp):
		lv.top -= m.logRows()
	case key.Matches(msg, g.PageDown):
		lv.top += m.logRows()
	case key.Matches(msg, g.Home):
		lv.top = 0
	case key.Matches(msg, g.End):
		lv.top = len(m.logLines())
	}
	lv.top = max(0, min(lv.top, len(m.logLines())-m.logRows()))
	return nil
}

// logInner is the text width inside the overlay's border and padding.
func (m *Model) logInner() int { return max(1, m.width-4) }

// logRows is how many lines of entries the overlay shows.
func (m *Model) logRows() int { return max(1, m.paneHeight()-3) } // border and title

// logLines renders every shown entry, newest first, wrapped to the overlay.
func (m *Model) logLines() []string {
	st := m.common.Styles
	entries := m.log.Entries(m.logView.writesOnly)
	width := m.logInner()
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		mark := st.Status.Render("✓")
		switch e.Level {
		case msglog.Error:
			mark = st.StatusError.Render("✗")
		case msglog.Warn:
			mark = st.StateWarn.Render("!")
		}
		text := e.Text
		if e.Latency > 0 {
			text += " · " + common.FormatLatency(e.Latency)
		}
		if e.Write {
			text = "[write] " + text
		}
		head := st.Muted.Render(e.At.Format("15:04:05")) + " " + mark + " "
		indent := strings.Repeat(" ", 11)
		for k, piece := range strings.Split(ansi.Wrap(text, max(1, width-11), " "), "\n") {
			if k == 0 {
				out = append(out, head+piece)
			} else {
				out = append(out, indent+piece)
			}
		}
	}
	return out
}

// logOverlay draws the message log over the pane area, exactly its size.
func (m *Model) logOverlay() string {
	st := m.common.Styles
	w, h := m.width, m.paneHeight()
	lines := m.logLines()
	what := "all messages"
	if m.logView.writesOnly {
		what = "writes only"
	}
	n := len(m.log.Entries(m.logView.writesOnly))
	title := st.OverlayTitle.Render("Message log") + st.Muted.Render(fmt.Sprintf("  %s (%d) · w writes · ↑/↓ scroll · esc closes", what, n))
	body := []string{title}
	rows := m.logRows()
	top := max(0, min(m.logView.top, len(lines)-rows))
	end := min(len(lines), top+rows)
	body = append(body, lines[top:end]...)
	if len(lines) == 0 {
		body = append(body, st.Muted.Render("no messages yet"))
	}
	inner := m.logInner()
	box := st.Overlay.Render(common.Fit(strings.Join(body, "\n"), inner, max(1, h-2)))
	return common.Fit(box, w, h)
}
