package events

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/norikv/norikv-console/ui/common"
)

// View implements common.Pane.
func (m *Model) View() string {
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	st := m.common.Styles
	vis := m.visible()
	title := st.Title.Render("TOPOLOGY EVENTS") + st.Muted.Render(fmt.Sprintf("  %d this session, newest first", m.entries.n+m.entries.dropped))
	if m.entries.dropped > 0 {
		title += st.Muted.Render(fmt.Sprintf(" (the oldest %d let go: %d kept)", m.entries.dropped, MaxEntries))
	}
	if m.filter != "" {
		title += st.Muted.Render(fmt.Sprintf("  · %d match %s", len(vis), strconv.Quote(m.filter)))
	}
	out := []string{title}
	if len(vis) == 0 {
		msg := "no topology change yet: stop a node or move a leader from the palette (:)"
		if m.filter != "" {
			msg = "no event matches the filter"
		}
		out = append(out, st.Muted.Render(msg))
		return common.Fit(strings.Join(out, "\n"), m.width, m.height)
	}
	for i := m.top; i < len(vis) && len(out) < m.height; i++ {
		for j, l := range vis[i].lines() {
			if len(out) >= m.height {
				break
			}
			mark := "  "
			if i == m.cursor && j == 0 {
				mark = "> "
			}
			if j == 0 && m.travelEpoch != 0 && vis[i].Epoch == m.travelEpoch && vis[i].At.Equal(m.travelAt) {
				l += "  ◀ shown in Cluster"
			}
			l = mark + l
			switch {
			case i == m.cursor:
				l = st.Selected.Render(common.FitLine(l, m.width))
			case j == 0:
				l = st.Text.Render(l)
			default:
				l = st.Muted.Render(l)
			}
			out = append(out, l)
		}
	}
	return common.Fit(strings.Join(out, "\n"), m.width, m.height)
}

// scrollTo moves the first shown entry so the cursor's entry is visible.
func (m *Model) scrollTo(vis []Entry) {
	m.top = min(m.top, m.cursor)
	for m.top < m.cursor {
		lines := 0
		for i := m.top; i <= m.cursor; i++ {
			lines += len(vis[i].lines())
		}
		if lines <= m.height-1 {
			break
		}
		m.top++
	}
}

// entryAtLine maps a pane line to a filtered entry index.
func (m *Model) entryAtLine(y int) (int, bool) {
	vis := m.visible()
	line := 1
	for i := m.top; i < len(vis); i++ {
		n := len(vis[i].lines())
		if y >= line && y < line+n {
			return i, true
		}
		line += n
	}
	return 0, false
}
