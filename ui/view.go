package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/norikv/norikv-console/ui/common"
)

// chrome lines: header and tab bar above the pane, status line below.
const (
	linesAbove = 2
	linesBelow = 1
)

func (m *Model) paneTop() int    { return linesAbove }
func (m *Model) paneHeight() int { return max(0, m.height-linesAbove-linesBelow) }

// resize gives every pane the space left after the chrome.
func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	for i := range m.panes {
		m.sizePane(i, w, m.paneHeight())
	}
	m.palette.SetSize(w, m.paneHeight())
	m.filter.Width = max(1, w/2)
	m.layoutTabs()
}

// layoutTabs records the tabs' extents on the tab bar for mouse clicks (in
// Update: View only draws). A tab's width does not depend on which is
// active, so a resize is the only time they move.
func (m *Model) layoutTabs() {
	m.tabs = m.tabs[:0]
	x := 0
	for i, p := range m.panes {
		w := lipgloss.Width(fmt.Sprintf(" %d %s ", i+1, p.Title()))
		m.tabs = append(m.tabs, tabPos{from: x, to: x + w})
		x += w + 1
	}
}

// View implements tea.Model.
func (m *Model) View() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	if m.width < MinWidth || m.height < MinHeight {
		return common.TooSmall(m.width, m.height, MinWidth, MinHeight)
	}
	body := m.viewPane(m.active)
	switch {
	case m.logView.open:
		body = m.logOverlay()
	case m.palette.Active():
		body = overlay(body, m.palette.View(), m.width, m.paneHeight())
	case m.help.open:
		body = overlay(body, m.help.view(m.width, m.paneHeight()), m.width, m.paneHeight())
	}
	return strings.Join([]string{m.header(), m.tabBar(), body, m.statusLine()}, "\n")
}

// header: profile, epoch, nodes alive, read-only badge, connection state.
func (m *Model) header() string {
	st := m.common.Styles
	h := st.Header
	title, profile := st.HeaderTitle.Render(" NoriKV "), h.Render(" "+m.common.Profile)
	var wire string
	if m.common.Client != nil {
		// Whether what the console sends (keys, values) is encrypted on the wire.
		if e, ok := any(m.common.Client).(interface{ Encrypted() bool }); ok && e.Encrypted() {
			wire = h.Render(" · TLS")
		} else if ok && m.common.Control == nil {
			wire = st.StateWarn.Render(" · plaintext")
		}
	}
	var epoch, nodes, short string
	if m.view != nil {
		alive, down := 0, 0
		for _, n := range m.view.Nodes {
			switch {
			case m.unreachable(n):
				down++
			case n.Role == "alive":
				alive++
			}
		}
		ns := h
		if alive < len(m.view.Nodes) {
			ns = st.StateWarn
		}
		full := fmt.Sprintf("nodes %d/%d alive", alive, len(m.view.Nodes))
		brief := fmt.Sprintf("%d/%d alive", alive, len(m.view.Nodes))
		if down > 0 {
			full += fmt.Sprintf(", %d unreachable", down)
			brief += fmt.Sprintf(", %d unreach", down)
		}
		epoch = h.Render(fmt.Sprintf(" · epoch %d", m.view.Epoch))
		sep := h.Render(" · ")
		nodes, short = sep+ns.Render(full), sep+ns.Render(brief)
	}
	state := st.StateOK
	mark := "●"
	switch m.connState {
	case StateConnecting, StateDegraded:
		state, mark = st.StateWarn, "◌"
	case StateReconnecting:
		state, mark = st.StateError, "○"
	}
	if !st.Color {
		mark = "*"
	}
	right := state.Render(mark + " " + m.connState + " ")
	if m.paused {
		right = st.Badge.Render(fmt.Sprintf(" PAUSED %d held ", len(m.held))) + h.Render(" ") + right
	}
	if m.common.ReadOnly {
		right = st.Badge.Render(" READ-ONLY ") + h.Render(" ") + right
	}
	// When it does not fit, the nodes' health goes last: first the epoch
	// (the Cluster pane has it), then the profile, the wire, and wording.
	room := m.width - lipgloss.Width(right) - 1
	left := title + profile + wire + epoch + nodes
	for _, v := range []string{title + profile + wire + nodes, title + wire + nodes, title + nodes, title + short} {
		if lipgloss.Width(left) <= room {
			break
		}
		left = v
	}
	if lipgloss.Width(left) > room {
		return common.FitLine(left, max(0, room)) + h.Render(" ") + right
	}
	return left + h.Render(strings.Repeat(" ", m.width-lipgloss.Width(left)-lipgloss.Width(right))) + right
}

// tabBar renders the tabs (layoutTabs places them).
func (m *Model) tabBar() string {
	st := m.common.Styles
	var b strings.Builder
	for i, p := range m.panes {
		label := fmt.Sprintf(" %d %s ", i+1, p.Title())
		s := st.TabInactive
		if i == m.active {
			s = st.TabActive
			if !st.Color {
				label = fmt.Sprintf("[%d %s]", i+1, p.Title())
			}
		}
		b.WriteString(s.Render(label) + " ")
	}
	return common.FitLine(b.String(), m.width)
}

// overlay draws box centred over body (width x height), cell-accurately.
func overlay(body, box string, width, height int) string {
	if box == "" {
		return body
	}
	lines := strings.Split(body, "\n")
	boxLines := strings.Split(box, "\n")
	bw := lipgloss.Width(box)
	if bw > width {
		bw = width
	}
	x := max(0, (width-bw)/2)
	y := max(0, (height-len(boxLines))/3)
	for i, bl := range boxLines {
		row := y + i
		if row >= len(lines) {
			break
		}
		l := lines[row]
		left := ansi.Truncate(l, x, "")
		right := ansi.TruncateLeft(l, x+bw, "")
		lines[row] = left + common.FitLine(bl, bw) + right
	}
	return strings.Join(lines, "\n")
}
