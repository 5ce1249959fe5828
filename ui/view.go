package ui

import (
	"fmt"
	"strings"
	"time"

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
	if ms, ok := m.Active().(common.MinSizer); ok && m.faults[m.active] == nil {
		// The pane's own "too small" would name the pane's size, which a
		// terminal of that size does not give it: ask for the terminal's.
		if w, h := ms.MinSize(); m.width < w || m.paneHeight() < h {
			body = common.TooSmall(m.width, m.paneHeight(), max(w, MinWidth), h+linesAbove+linesBelow)
		}
	}
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
		func() { p.epoch = hpiece{} },
		func() { p.profile = hpiece{} },
		func() { p.wire = hpiece{} },
		func() { p.nodes = p.brief },
		func() { p.paused = p.pausedShort },
		func() { p.title = hpiece{} },
		func() { p.readOnly = p.readOnlyShort },
		func() { p.nodes = p.tiny },
		func() { p.nodes = hpiece{} },
		func() { p.paused = hpiece{} },
		func() { p.mark = hpiece{} },
		func() { p.state = hpiece{} },
	}
	for i := 0; i < len(steps) && !p.fits(m.width); i++ {
		steps[i]()
	}
	return p.render(m.width)
}

// hpiece is one piece of the header: its text and style (the header's
// styles add no padding, so the text's width is the piece's).
type hpiece struct {
	text  string
	style *lipgloss.Style // one of the shared Styles' (a Style is a large value)
	w     int             // the text's width, measured once
}

func hp(text string, style *lipgloss.Style) hpiece {
	return hpiece{text: text, style: style, w: ansi.StringWidth(text)}
}

func (h hpiece) width() int { return h.w }

// headerParts are the header's pieces with the shorter forms they fall
// back to. Widths are added up from the texts and only the pieces kept are
// rendered, once (the header is drawn every frame).
type headerParts struct {
	bar                         *lipgloss.Style // the header's own style, for gaps
	title, profile, wire, epoch hpiece
	nodes, brief, tiny          hpiece // "nodes 1/3 alive, 1 unreachable, 1 not answering for 0.8s", "1/3 alive, 1 unreach, 1 no answer", "1/3 alive"
	readOnly, readOnlyShort     hpiece
	paused, pausedShort         hpiece
	mark, state                 hpiece
}

func (m *Model) headerParts() *headerParts {
	st := m.common.Styles
	h := &st.Header
	p := &headerParts{bar: h, title: hp(" NoriKV ", &st.HeaderTitle)}
	if m.common.Profile != "" {
		p.profile = hp(" "+m.common.Profile, h)
	}
	if m.common.Client != nil {
		// Whether what the console sends (keys, values) is encrypted on the wire.
		if e, ok := any(m.common.Client).(interface{ Encrypted() bool }); ok && e.Encrypted() {
			p.wire = hp(" · TLS", h)
		} else if ok && m.common.Control == nil {
			p.wire = hp(" · plaintext", &st.StateWarn)
		}
	}
	if m.view != nil {
		alive, down, quiet := 0, 0, 0
		var longest time.Duration // the longest wait for a node not answering
		for _, n := range m.view.Nodes {
			if m.unreachable(n) {
				down++
				continue
			}
			switch w, q := m.unanswered(n); {
			case q:
				// Asked and not answered yet: not counted alive. Found in
				// tmux with two nodes SIGSTOPped: "3/3 alive" until their
				// polls timed out.
				quiet++
				longest = max(longest, w)
			case n.Role == "alive":
				alive++
			}
		}
		ns := h
		if alive < len(m.view.Nodes) {
			ns = &st.StateWarn
		}
		tiny := fmt.Sprintf("%d/%d alive", alive, len(m.view.Nodes))
		full, brief := "nodes "+tiny, tiny
		if down > 0 {
			full += fmt.Sprintf(", %d unreachable", down)
			brief += fmt.Sprintf(", %d unreach", down)
		}
		if quiet > 0 {
			full += fmt.Sprintf(", %d not answering for %.1fs", quiet, longest.Seconds())
			brief += fmt.Sprintf(", %d no answer", quiet)
		}
		p.epoch = hp(fmt.Sprintf(" · epoch %d", m.view.Epoch), h)
		p.nodes, p.brief, p.tiny = hp(full, ns), hp(brief, ns), hp(tiny, ns)
	}
	state := &st.StateOK
	mark := "●"
	switch m.connState {
	case StateConnecting, StateDegraded, StateBehind:
		state, mark = &st.StateWarn, "◌"
	case StateReconnecting:
		state, mark = &st.StateError, "○"
	}
	if !st.Color {
		mark = "*"
	}
	p.mark, p.state = hp(mark, state), hp(m.connState, state)
	if m.paused {
		p.paused = hp(fmt.Sprintf(" PAUSED %d held ", len(m.held)), &st.Badge)
		p.pausedShort = hp(" PAUSED ", &st.Badge)
	}
	if m.common.ReadOnly {
		p.readOnly, p.readOnlyShort = hp(" READ-ONLY ", &st.Badge), hp(" RO ", &st.Badge)
	}
	return p
}

// The line is the left part (title, profile, wire, epoch, then " · " and
// the nodes' health, or " " before the health alone), a gap of at least
// one column, and the right part (badges and state, one space apart, and a
// closing space).
func (p *headerParts) leftWidth() int {
	w := p.title.width() + p.profile.width() + p.wire.width() + p.epoch.width()
	if p.nodes.text != "" {
		sep := 3 // " · "
		if w == 0 {
			sep = 1
		}
		w += sep + p.nodes.width()
	}
	return w
}

// right returns the right part's pieces in order, in buf.
func (p *headerParts) right(buf *[4]*hpiece) []*hpiece {
	out := buf[:0]
	for _, h := range []*hpiece{&p.readOnly, &p.paused, &p.mark, &p.state} {
		if h.text != "" {
			out = append(out, h)
		}
	}
	return out
}

func (p *headerParts) rightWidth() int {
	var buf [4]*hpiece
	r := p.right(&buf)
	if len(r) == 0 {
		return 0
	}
	w := len(r) // the spaces between and the closing one
	for _, h := range r {
		w += h.width()
	}
	return w
}

// fits reports whether the pieces fit width columns.
func (p *headerParts) fits(width int) bool {
	l, r := p.leftWidth(), p.rightWidth()
	return l+r+1 <= width || (l == 0 && r <= width)
}

// render draws the pieces in width columns (blank when they do not fit).
func (p *headerParts) render(width int) string {
	if !p.fits(width) {
		return p.bar.Render(strings.Repeat(" ", max(0, width)))
	}
	var b strings.Builder
	left := 0
	for _, h := range []*hpiece{&p.title, &p.profile, &p.wire, &p.epoch} {
		if h.text != "" {
			b.WriteString(h.style.Render(h.text))
			left += h.width()
		}
	}
	if p.nodes.text != "" {
		sep := " · "
		if left == 0 {
			sep = " "
		}
		b.WriteString(p.bar.Render(sep) + p.nodes.style.Render(p.nodes.text))
		left += ansi.StringWidth(sep) + p.nodes.width()
	}
	b.WriteString(p.bar.Render(strings.Repeat(" ", width-left-p.rightWidth())))
	for _, h := range []*hpiece{&p.readOnly, &p.paused} {
		if h.text != "" {
			b.WriteString(h.style.Render(h.text) + p.bar.Render(" "))
		}
	}
	// The mark and the state share a style: one render for both and the
	// closing space.
	switch {
	case p.mark.text != "" && p.state.text != "":
		b.WriteString(p.state.style.Render(p.mark.text + " " + p.state.text + " "))
	case p.mark.text != "" || p.state.text != "":
		b.WriteString(p.state.style.Render(p.mark.text + p.state.text + " "))
	}
	return b.String()
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
