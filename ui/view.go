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
	p := m.headerParts()
	// When it does not fit, pieces give way whole, least needed first: the
	// epoch (the Cluster pane has it), the profile, the wire note, the
	// wording of the nodes' health, the paused count, the title, the long
	// read-only badge, the unreachable count, the health, the paused badge
	// and the state's mark. The connection state goes last: it is what says
	// whether the screen is live. No word is ever cut or run into the next.
	steps := []func(){
		func() { p.epoch = "" },
		func() { p.profile = "" },
		func() { p.wire = "" },
		func() { p.nodes = p.brief },
		func() { p.paused = p.pausedShort },
		func() { p.title = "" },
		func() { p.readOnly = p.readOnlyShort },
		func() { p.nodes = p.tiny },
		func() { p.nodes = "" },
		func() { p.paused = "" },
		func() { p.mark = "" },
		func() { p.state = "" },
	}
	for i := 0; ; i++ {
		if line, ok := p.fit(m.width); ok || i == len(steps) {
			return line
		}
		steps[i]()
	}
}

// headerParts are the header's pieces, each already styled, with the
// shorter forms it falls back to.
type headerParts struct {
	bar                         lipgloss.Style // the header's own style, for gaps
	title, profile, wire, epoch string
	nodes, brief, tiny          string // "nodes 2/3 alive, 1 unreachable", "2/3 alive, 1 unreach", "2/3 alive"
	readOnly, readOnlyShort     string
	paused, pausedShort         string
	mark, state                 string
	sep                         string // before the nodes' health when something precedes it
}

func (m *Model) headerParts() *headerParts {
	st := m.common.Styles
	h := st.Header
	p := &headerParts{bar: h, title: st.HeaderTitle.Render(" NoriKV "), sep: h.Render(" · ")}
	if m.common.Profile != "" {
		p.profile = h.Render(" " + m.common.Profile)
	}
	if m.common.Client != nil {
		// Whether what the console sends (keys, values) is encrypted on the wire.
		if e, ok := any(m.common.Client).(interface{ Encrypted() bool }); ok && e.Encrypted() {
			p.wire = h.Render(" · TLS")
		} else if ok && m.common.Control == nil {
			p.wire = st.StateWarn.Render(" · plaintext")
		}
	}
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
		tiny := fmt.Sprintf("%d/%d alive", alive, len(m.view.Nodes))
		full, brief := "nodes "+tiny, tiny
		if down > 0 {
			full += fmt.Sprintf(", %d unreachable", down)
			brief += fmt.Sprintf(", %d unreach", down)
		}
		p.epoch = h.Render(fmt.Sprintf(" · epoch %d", m.view.Epoch))
		p.nodes, p.brief, p.tiny = ns.Render(full), ns.Render(brief), ns.Render(tiny)
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
	p.mark, p.state = state.Render(mark), state.Render(m.connState)
	if m.paused {
		p.paused = st.Badge.Render(fmt.Sprintf(" PAUSED %d held ", len(m.held)))
		p.pausedShort = st.Badge.Render(" PAUSED ")
	}
	if m.common.ReadOnly {
		p.readOnly, p.readOnlyShort = st.Badge.Render(" READ-ONLY "), st.Badge.Render(" RO ")
	}
	return p
}

// fit lays the pieces out in width columns: the left part, a gap of at
// least one column, the right part and a closing space; ok is false when
// they do not fit (the line is then blank).
func (p *headerParts) fit(width int) (string, bool) {
	left := p.title + p.profile + p.wire + p.epoch
	if p.nodes != "" {
		if left != "" {
			left += p.sep
		} else {
			left = p.bar.Render(" ")
		}
		left += p.nodes
	}
	var right []string
	for _, s := range []string{p.readOnly, p.paused, p.mark, p.state} {
		if s != "" {
			right = append(right, s)
		}
	}
	r := strings.Join(right, p.bar.Render(" "))
	if r != "" {
		r += p.bar.Render(" ")
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(r)
	if gap < 1 && !(left == "" && gap == 0) {
		return p.bar.Render(strings.Repeat(" ", max(0, width))), false
	}
	return left + p.bar.Render(strings.Repeat(" ", gap)) + r, true
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
