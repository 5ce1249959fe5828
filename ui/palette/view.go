package palette

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/norikv/norikv-console/ui/common"
)

// View renders the palette box (not placed): at most width x height.
func (m Model) View() string {
	if m.stage == closed || m.width < 10 || m.height < 5 {
		return ""
	}
	st := m.styles
	inner := min(m.width, 72) - 4
	var lines []string
	switch m.stage {
	case choosing:
		lines = append(lines, st.OverlayTitle.Render("Commands"), m.input.View())
		rows := max(1, min(len(m.matches), m.height-6))
		first := max(0, m.cursor-rows+1)
		for i := first; i < len(m.matches) && i < first+rows; i++ {
			lines = append(lines, m.item(i, inner))
		}
		if len(m.matches) == 0 {
			lines = append(lines, st.Muted.Render("no command matches"))
		}
	case prompting:
		lines = append(lines, st.OverlayTitle.Render(m.chosen.Title))
		for _, l := range common.Wrap(m.chosen.Prompt, inner) {
			lines = append(lines, st.Text.Render(l))
		}
		lines = append(lines, m.input.View(), st.Muted.Render("enter: continue · esc: cancel"))
	case confirming:
		q := m.chosen.Confirm
		if strings.Contains(q, "%s") {
			q = fmt.Sprintf(q, m.arg)
		}
		lines = append(lines, st.OverlayTitle.Render("Confirm"), st.Warn.Render(q), st.Muted.Render("y / enter: yes · n / esc: no"))
	}
	for i, l := range lines {
		lines[i] = common.FitLine(l, inner)
	}
	return st.Overlay.Render(strings.Join(lines, "\n"))
}

func (m Model) item(i, width int) string {
	st := m.styles
	mt := m.matches[i]
	a := m.actions[mt.Index]
	matched := map[int]bool{}
	for _, j := range mt.MatchedIndexes {
		matched[j] = true
	}
	var b strings.Builder
	for j, r := range a.Title {
		if matched[j] {
			b.WriteString(st.Match.Render(string(r)))
		} else {
			b.WriteRune(r)
		}
	}
	title := b.String()
	right := a.Keys
	if a.Disabled != nil { // dimmed: listed so people find it, but off
		title, right = st.Muted.Render(a.Title), "off"
	}
	pad := width - lipgloss.Width(title) - lipgloss.Width(right) - 2
	line := "  " + title
	if pad > 0 && right != "" {
		line += strings.Repeat(" ", pad) + st.Muted.Render(right)
	}
	if i == m.cursor {
		return st.Selected.Render(common.FitLine("> "+title+strings.Repeat(" ", max(0, pad))+right, width))
	}
	return line
}
